"""In-repo packager and validator for the Dify plugin (`make package`, `make validate`).

`build_package` follows the Dify CLI's packaging rules; `validate_package` applies the daemon's
install rules and the marketplace's blocking checks to the built file. Dev tooling only: never
shipped.
"""

from devtools.packaging.build import BuiltPackage, build_package
from devtools.packaging.errors import PackagingError
from devtools.packaging.findings import Finding
from devtools.packaging.ignore import IgnoreMatcher
from devtools.packaging.validate import validate_package

__all__ = [
    "BuiltPackage",
    "Finding",
    "IgnoreMatcher",
    "PackagingError",
    "build_package",
    "validate_package",
]
