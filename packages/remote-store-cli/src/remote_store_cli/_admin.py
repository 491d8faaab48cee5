"""Commands about setup rather than data: ``cert`` and ``config check``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from remote_store import Capability, RegistryConfig
from remote_store.backend import Secret, redact_text
from remote_store.discovery import load_backend_class
from remote_store.errors import InvalidArgument, NotFound

from remote_store_cli._context import Context
from remote_store_cli._exit import NOT_CERTIFIED

__all__ = ["cmd_cert", "cmd_config_check", "masked"]

_VERDICTS = {"pass", "fail", "waived", "refused-as-undeclared", "refusal-failed", "not-run"}
_GOOD = {"pass", "refused-as-undeclared", "waived"}
_REQUIRED = ("backend", "certified", "capabilities", "contract", "summary")


def cmd_cert(ctx: Context) -> int:
    """Print a conformance certificate; ``--verify`` also checks that it holds together."""
    path = Path(ctx.args.file)
    if not path.is_file():
        raise NotFound("certificate file not found", path=str(path))
    try:
        cert = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidArgument(f"not a JSON certificate: {exc}", path=str(path)) from None
    problems = certificate_problems(cert)
    if problems:
        raise InvalidArgument("malformed certificate: " + "; ".join(problems), path=str(path))
    record = {"file": str(path), **cert}
    capabilities: dict[str, str] = cert["capabilities"]
    lines = [
        f"backend:      {cert['backend']} ({cert.get('backend_class') or '?'})",
        f"distribution: {cert.get('distribution') or '?'} {cert.get('version') or ''}".rstrip(),
        f"kit:          {cert.get('kit_version') or '?'}",
        f"certified:    {'yes' if cert['certified'] else 'NO'}",
        f"contract:     {cert['contract']}",
        f"summary:      {cert['summary']}",
        *(f"  {name:<22} {verdict}" for name, verdict in sorted(capabilities.items())),
    ]
    lines += [f"  failed rule: {name}" for name in cert.get("failures", [])]
    ctx.out.result(record, lines)
    if ctx.args.verify and not cert["certified"]:
        return NOT_CERTIFIED
    return 0


def certificate_problems(cert: Any) -> list[str]:
    """What is wrong with a certificate (empty when it is consistent)."""
    if not isinstance(cert, dict):
        return ["not a JSON object"]
    problems = [f"missing {key!r}" for key in _REQUIRED if key not in cert]
    if problems:
        return problems
    capabilities = cert["capabilities"]
    if not isinstance(capabilities, dict):
        return ["'capabilities' is not an object"]
    known = {c.value for c in Capability}
    problems += [f"unknown capability {name!r}" for name in capabilities if name not in known]
    problems += [
        f"bad verdict {verdict!r} for {name!r}"
        for name, verdict in capabilities.items()
        if verdict not in _VERDICTS
    ]
    holds = cert["contract"] == "pass" and all(v in _GOOD for v in capabilities.values())
    if not isinstance(cert["certified"], bool):
        problems.append("'certified' is not a boolean")
    elif cert["certified"] != holds:
        problems.append(f"'certified' is {cert['certified']} but the verdicts say {holds}")
    return problems


def masked(value: Any) -> Any:
    """A config value for display: secrets as ``***``, credentials in URLs masked."""
    if isinstance(value, Secret):
        return "***"
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {key: masked(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [masked(item) for item in value]
    return value


def cmd_config_check(ctx: Context) -> int:
    """Validate a config file (strictly, every backend type installed) and print it masked."""
    path = Path(ctx.args.file)
    if not path.is_file():
        raise NotFound("config file not found", path=str(path))
    config = RegistryConfig.from_file(path, resolve_env_vars=not ctx.args.no_env)
    for backend in config.backends.values():
        load_backend_class(backend.type)  # UnknownBackendType names the distribution
    data: dict[str, Any] = {"backends": {}, "stores": {}}
    for name, backend in sorted(config.backends.items()):
        entry: dict[str, Any] = {"type": backend.type, "options": masked(backend.options)}
        if backend.retry is not None:
            retry = backend.retry
            entry["retry"] = {
                "max_attempts": retry.max_attempts,
                "backoff_base": retry.backoff_base,
                "backoff_max": retry.backoff_max,
                "jitter": retry.jitter,
                "timeout": retry.timeout,
            }
        data["backends"][name] = entry
    for name, profile in sorted(config.stores.items()):
        data["stores"][name] = {
            "backend": profile.backend,
            "root_path": profile.root_path,
            "options": masked(profile.options),
        }
    lines = [f"{path}: OK ({len(config.backends)} backend(s), {len(config.stores)} store(s))"]
    lines += _toml_lines(data)
    ctx.out.result({"ok": True, "file": str(path), **data}, lines)
    return 0


def _toml_lines(data: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for section in ("backends", "stores"):
        for name, entry in data[section].items():
            lines.append(f"[{section}.{name}]")
            for key, value in entry.items():
                if isinstance(value, dict):
                    inner = ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items())
                    lines.append(f"{key} = {{ {inner} }}")
                else:
                    lines.append(f"{key} = {json.dumps(value)}")
    return lines
