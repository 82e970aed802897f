"""The declaration files behind `plugins.tools`, `plugins.endpoints` and `plugins.triggers`.

Rules are the union of what the daemon's packager rejects (struct validation of the decoded YAML)
and what `dify_plugin` rejects when the plugin starts, so a mistake fails here instead of at
install time. Field shapes: the entity models in `dify_plugin/entities/{tool,endpoint,trigger}.py`
and https://docs.dify.ai/en/develop-plugin/dev-guides-and-walkthroughs/endpoint
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from devtools.packaging.rules import (
    IDENTITY_NAME_RE,
    Problems,
    Reader,
    check_configs,
    check_i18n,
    check_optional_bool,
    check_source,
    check_str,
    load_mapping,
)

TOOL_PARAMETER_TYPES = frozenset(
    {
        "string",
        "number",
        "boolean",
        "select",
        "secret-input",
        "file",
        "files",
        "app-selector",
        "model-selector",
        "any",
        "dynamic-select",
        "array",
        "object",
        "checkbox",
        "date",
        "date-range",
    }
)
TOOL_PARAMETER_FORMS = frozenset({"schema", "form", "llm"})
EVENT_PARAMETER_TYPES = frozenset(
    {
        "string",
        "number",
        "boolean",
        "select",
        "file",
        "files",
        "model-selector",
        "app-selector",
        "object",
        "array",
        "dynamic-select",
        "checkbox",
    }
)
ENDPOINT_METHODS = frozenset({"HEAD", "GET", "POST", "PUT", "DELETE", "OPTIONS"})
APP_SELECTOR = "app-selector"


@dataclass
class Collected:
    """What the kind checks gather for the manifest-level rules and the icon check."""

    files: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    icons: list[str] = field(default_factory=list)
    app_selectors: list[str] = field(default_factory=list)


def _identity(
    problems: Problems, path: str, document: Mapping[str, Any], *, description: bool
) -> Mapping[str, Any] | None:
    identity = document.get("identity")
    if not isinstance(identity, Mapping):
        problems.add(path, "identity: required mapping")
        return None
    check_str(problems, f"{path}: identity.author", identity.get("author"))
    check_str(problems, f"{path}: identity.name", identity.get("name"), IDENTITY_NAME_RE)
    check_i18n(problems, f"{path}: identity.label", identity.get("label"))
    if description:
        check_i18n(problems, f"{path}: identity.description", identity.get("description"))
    return identity


def _icons(
    problems: Problems, path: str, identity: Mapping[str, Any], out: Collected, *, required: bool
) -> None:
    for key in ("icon", "icon_dark"):
        icon = identity.get(key)
        if icon is None and (key == "icon_dark" or not required):
            continue
        if check_str(problems, f"{path}: identity.{key}", icon):
            out.icons.append(str(icon))


def _paths(problems: Problems, where: str, value: Any, what: str) -> list[str]:
    """A list of relative YAML paths (inline declarations are not used by this project)."""
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(where, f"must be a list of {what} YAML paths")
        return []
    paths: list[str] = []
    for entry in value:
        if isinstance(entry, str) and entry:
            paths.append(entry)
        else:
            problems.add(where, f"entry {entry!r} is not the path of a {what} YAML file")
    return paths


def _unique_name(problems: Problems, path: str, name: Any, seen: dict[str, str]) -> None:
    if isinstance(name, str) and name:
        if name in seen:
            problems.add(path, f"identity.name {name!r} is already used by {seen[name]}")
        seen[name] = path


def _tool_parameters(problems: Problems, path: str, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, list):
        problems.add(path, "parameters: must be a list")
        return
    for index, parameter in enumerate(value):
        where = f"{path}: parameters[{index}]"
        if not isinstance(parameter, Mapping):
            problems.add(where, "must be a mapping")
            continue
        if check_str(problems, f"{where}.name", parameter.get("name")):
            where = f"{path}: parameter {parameter['name']}"
        check_i18n(problems, f"{where}.label", parameter.get("label"))
        check_i18n(problems, f"{where}.human_description", parameter.get("human_description"))
        if parameter.get("type") not in TOOL_PARAMETER_TYPES:
            problems.add(f"{where}.type", f"{parameter.get('type')!r} is not a tool parameter type")
        form = parameter.get("form")
        if form not in TOOL_PARAMETER_FORMS:
            problems.add(f"{where}.form", f"{form!r} is not one of {sorted(TOOL_PARAMETER_FORMS)}")
        llm_description = parameter.get("llm_description")
        if form == "llm" and not (isinstance(llm_description, str) and llm_description.strip()):
            problems.add(
                f"{where}.llm_description",
                "required for form: llm (the model reads it to fill the parameter)",
            )
        check_optional_bool(problems, f"{where}.required", parameter.get("required"))


def check_tool_provider(
    path: str, names: Collection[str], read: Reader, problems: Problems, out: Collected
) -> None:
    provider = load_mapping(path, names, read, problems)
    if provider is None:
        return
    out.files[path] = provider
    identity = _identity(problems, path, provider, description=True)
    if identity is not None:
        _icons(problems, path, identity, out, required=True)
    credentials = provider.get("credentials_for_provider")
    if credentials is not None and not isinstance(credentials, Mapping):
        problems.add(
            path,
            "credentials_for_provider must be a mapping name → config (a list crashes the SDK)",
        )
    else:
        check_configs(problems, f"{path}: credentials_for_provider", credentials)
    check_source(problems, path, provider, names, required=True)
    seen: dict[str, str] = {}
    tool_paths = _paths(problems, f"{path}: tools", provider.get("tools"), "tool")
    if not tool_paths:
        problems.add(path, "tools: required non-empty list of tool YAML paths")
    for tool_path in tool_paths:
        tool = load_mapping(tool_path, names, read, problems)
        if tool is None:
            continue
        out.files[tool_path] = tool
        tool_identity = _identity(problems, tool_path, tool, description=False)
        if tool_identity is not None:
            _unique_name(problems, tool_path, tool_identity.get("name"), seen)
        description = tool.get("description")
        if not isinstance(description, Mapping):
            problems.add(tool_path, "description: required mapping with human and llm")
        else:
            check_i18n(problems, f"{tool_path}: description.human", description.get("human"))
            llm = description.get("llm")
            if not isinstance(llm, str) or not llm.strip():
                problems.add(tool_path, "description.llm: required text for the model")
        _tool_parameters(problems, tool_path, tool.get("parameters"))
        check_source(problems, tool_path, tool, names, required=True)


def check_endpoint_group(
    path: str, names: Collection[str], read: Reader, problems: Problems, out: Collected
) -> None:
    group = load_mapping(path, names, read, problems)
    if group is None:
        return
    out.files[path] = group
    settings = group.get("settings")
    if settings is not None and not isinstance(settings, list):
        problems.add(path, "settings: must be a list of configs with a name each (the SDK)")
    else:
        for config in check_configs(problems, f"{path}: settings", settings):
            if config.get("type") == APP_SELECTOR:
                out.app_selectors.append(f"{path}: settings.{config.get('name')}")
    routes: dict[tuple[str, str], str] = {}
    endpoint_paths = _paths(problems, f"{path}: endpoints", group.get("endpoints"), "endpoint")
    if not endpoint_paths:
        problems.add(path, "endpoints: required non-empty list of endpoint YAML paths")
    for endpoint_path in endpoint_paths:
        endpoint = load_mapping(endpoint_path, names, read, problems)
        if endpoint is None:
            continue
        out.files[endpoint_path] = endpoint
        route = endpoint.get("path")
        if check_str(problems, f"{endpoint_path}: path", route) and not str(route).startswith("/"):
            problems.add(f"{endpoint_path}: path", f"{route!r} must start with / (a URL rule)")
        method = endpoint.get("method")
        if method not in ENDPOINT_METHODS:
            problems.add(
                f"{endpoint_path}: method", f"{method!r} is not one of {sorted(ENDPOINT_METHODS)}"
            )
        check_optional_bool(problems, f"{endpoint_path}: hidden", endpoint.get("hidden"))
        check_source(problems, endpoint_path, endpoint, names, required=True)
        if isinstance(route, str) and isinstance(method, str):
            key = (method, route)
            if key in routes:
                problems.add(
                    endpoint_path, f"{method} {route} is already declared by {routes[key]}"
                )
            routes[key] = endpoint_path


def _event_parameters(problems: Problems, where: str, value: Any, out: Collected) -> None:
    if value is None:
        return
    if not isinstance(value, list):
        problems.add(where, "must be a list")
        return
    for index, parameter in enumerate(value):
        spot = f"{where}[{index}]"
        if not isinstance(parameter, Mapping):
            problems.add(spot, "must be a mapping")
            continue
        if check_str(problems, f"{spot}.name", parameter.get("name")):
            spot = f"{where}.{parameter['name']}"
        check_i18n(problems, f"{spot}.label", parameter.get("label"))
        kind = parameter.get("type")
        if kind not in EVENT_PARAMETER_TYPES:
            problems.add(f"{spot}.type", f"{kind!r} is not an event parameter type")
        if kind == APP_SELECTOR:
            out.app_selectors.append(spot)
        check_optional_bool(problems, f"{spot}.required", parameter.get("required"))
        if parameter.get("description") is not None:
            check_i18n(problems, f"{spot}.description", parameter.get("description"))


def check_trigger_provider(
    path: str, names: Collection[str], read: Reader, problems: Problems, out: Collected
) -> None:
    provider = load_mapping(path, names, read, problems)
    if provider is None:
        return
    out.files[path] = provider
    identity = _identity(problems, path, provider, description=True)
    if identity is not None:
        _icons(problems, path, identity, out, required=True)
        if identity.get("tags"):
            problems.add(
                f"{path}: identity.tags",
                "leave out: the SDK accepts only 'webhooks', the daemon only manifest tags",
            )
    schema = provider.get("subscription_schema")
    if schema is not None and not isinstance(schema, list):
        problems.add(path, "subscription_schema: must be a list of configs with a name each")
    else:
        check_configs(problems, f"{path}: subscription_schema", schema)
    constructor = provider.get("subscription_constructor")
    if constructor is not None:
        if not isinstance(constructor, Mapping):
            problems.add(path, "subscription_constructor: must be a mapping")
        else:
            where = f"{path}: subscription_constructor"
            _event_parameters(problems, f"{where}.parameters", constructor.get("parameters"), out)
            check_configs(
                problems, f"{where}.credentials_schema", constructor.get("credentials_schema")
            )
    if schema is None and constructor is None:
        problems.add(
            path,
            "declare subscription_schema (manual webhook) or subscription_constructor "
            "(Dify registers the webhook): without either nobody can subscribe",
        )
    check_source(problems, path, provider, names, required=True)
    seen: dict[str, str] = {}
    event_paths = _paths(problems, f"{path}: events", provider.get("events"), "event")
    if not event_paths:
        problems.add(path, "events: required non-empty list of event YAML paths")
    for event_path in event_paths:
        event = load_mapping(event_path, names, read, problems)
        if event is None:
            continue
        out.files[event_path] = event
        event_identity = _identity(problems, event_path, event, description=False)
        if event_identity is not None:
            _unique_name(problems, event_path, event_identity.get("name"), seen)
        check_i18n(problems, f"{event_path}: description", event.get("description"))
        _event_parameters(problems, f"{event_path}: parameters", event.get("parameters"), out)
        schema_out = event.get("output_schema")
        if schema_out is not None and not (
            isinstance(schema_out, Mapping) and schema_out.get("type") == "object"
        ):
            problems.add(event_path, "output_schema: must be a JSON Schema with type: object")
        check_source(problems, event_path, event, names, required=True)
