"""In-repo packager and validator for the Dify plugins of this repository (`make package`,
`make validate`).

`build_package` follows the Dify CLI's packaging rules; `validate_package` applies the daemon's
install rules and the marketplace's blocking checks to a built file, `validate_source` the same
checks to a plugin folder. `repository_plugins` lists the plugins: the tool plugin at the root and
the trigger plugin in its sub-folder. Dev tooling only: never shipped.
"""

from devtools.packaging.build import BuiltPackage, build_package
from devtools.packaging.errors import PackagingError
from devtools.packaging.findings import Finding
from devtools.packaging.ignore import IgnoreRules
from devtools.packaging.sources import PluginSource, repository_plugins
from devtools.packaging.validate import validate_package, validate_source

__all__ = [
    "BuiltPackage",
    "Finding",
    "IgnoreRules",
    "PackagingError",
    "PluginSource",
    "build_package",
    "repository_plugins",
    "validate_package",
    "validate_source",
]
