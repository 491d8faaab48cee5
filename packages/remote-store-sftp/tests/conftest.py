"""Real SSH servers on 127.0.0.1, started lazily once per session.

* ``asyncssh_server``: an asyncssh SFTP server running in a thread (``chroot`` on a
  temporary folder; base paths are ``/<folder>``).
* ``sshd_server``: OpenSSH ``sshd -D -e -f <own config>`` with its own host key and an
  authorized client key (base paths are absolute local paths).

Keys are generated per session. ``server`` is parametrised over both.
"""

from __future__ import annotations

import asyncio
import functools
import getpass
import os
import shutil
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from remote_store_conformance.servers import (
    ServerProcess,
    free_port,
    require_executable,
    server_missing,
    wait_for_port,
)
from remote_store_sftp import SFTPBackend

if TYPE_CHECKING:  # the module's types (importorskip returns an untyped value)
    import asyncssh
else:
    asyncssh = pytest.importorskip("asyncssh")

PASSWORD = "s3cret-Pw!"


@dataclass
class SSHServer:
    """What a test needs to reach a server."""

    kind: str
    port: int
    host_key_line: str  # a known_hosts line for 127.0.0.1:port
    key_path: str  # the client's private key (OpenSSH format)
    key_text: str
    username: str
    data_dir: str  # local folder the server serves
    remote_prefix: str  # how the server names data_dir
    extra: dict[str, Any] = field(default_factory=dict)

    def new_folder(self) -> tuple[str, str]:
        """A fresh empty folder: (local path, base_path for the backend)."""
        name = uuid.uuid4().hex[:12]
        local = os.path.join(self.data_dir, name)
        os.makedirs(local)
        return local, f"{self.remote_prefix.rstrip('/')}/{name}"

    def backend(self, base_path: str | None = None, **options: Any) -> SFTPBackend:
        """A backend on a fresh folder (or ``base_path``), key auth, strict host keys."""
        if base_path is None:
            base_path = self.new_folder()[1]
        settings: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": self.port,
            "username": self.username,
            "key_filename": self.key_path,
            "known_host_keys": self.host_key_line,
            "base_path": base_path,
            "timeout": 10,
            "io_timeout": 20,
        }
        settings.update(options)
        return SFTPBackend(**settings)


def _keys(folder: str) -> tuple[Any, Any]:
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    for name, key in (("host_key", host_key), ("client_key", client_key)):
        path = os.path.join(folder, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key.export_private_key("openssh"))
        key.write_public_key(path + ".pub")
    return host_key, client_key


def _known_line(host_key: Any, port: int) -> str:
    public: str = host_key.export_public_key("openssh").decode().strip()
    return f"[127.0.0.1]:{port} " + public


@pytest.fixture(scope="session")
def ssh_workdir() -> Iterator[str]:
    folder = tempfile.mkdtemp(prefix="rs-sftp-tests-")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _asyncssh_server(folder: str, sftp_class: Any) -> Iterator[SSHServer]:
    """An asyncssh server on 127.0.0.1 serving ``folder/data`` with ``sftp_class``."""
    data = os.path.join(folder, "data")
    os.makedirs(data)
    host_key, _ = _keys(folder)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="asyncssh-server", daemon=True)
    thread.start()

    class _Server(asyncssh.SSHServer):
        def password_auth_supported(self) -> bool:
            return True

        def validate_password(self, username: str, password: str) -> bool:
            return password == PASSWORD

    async def start() -> Any:
        return await asyncssh.listen(
            "127.0.0.1",
            0,
            server_host_keys=[host_key],
            authorized_client_keys=os.path.join(folder, "client_key.pub"),
            server_factory=_Server,
            sftp_factory=functools.partial(sftp_class, chroot=data),
            allow_scp=False,
        )

    try:
        acceptor = asyncio.run_coroutine_threadsafe(start(), loop).result(20)
    except Exception as exc:
        loop.call_soon_threadsafe(loop.stop)
        server_missing(f"asyncssh server did not start: {exc!r}")
    port = acceptor.sockets[0].getsockname()[1]
    with open(os.path.join(folder, "client_key"), encoding="utf-8") as handle:
        key_text = handle.read()
    yield SSHServer(
        kind="asyncssh",
        port=port,
        host_key_line=_known_line(host_key, port),
        key_path=os.path.join(folder, "client_key"),
        key_text=key_text,
        username="tester",
        data_dir=data,
        remote_prefix="/",
    )
    acceptor.close()
    asyncio.run_coroutine_threadsafe(acceptor.wait_closed(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@pytest.fixture(scope="session")
def asyncssh_server(ssh_workdir: str) -> Iterator[SSHServer]:
    yield from _asyncssh_server(os.path.join(ssh_workdir, "asyncssh"), asyncssh.SFTPServer)


class _SFTPv3Server(asyncssh.SFTPServer):
    """A server without the OpenSSH extensions (posix-rename, hardlink), as plain SFTPv3."""

    def posix_rename(self, oldpath: bytes, newpath: bytes) -> None:
        raise asyncssh.SFTPOpUnsupported("posix-rename is not supported")

    def link(self, oldpath: bytes, newpath: bytes) -> None:
        raise asyncssh.SFTPOpUnsupported("hardlink is not supported")


@pytest.fixture(scope="session")
def sftpv3_server(ssh_workdir: str) -> Iterator[SSHServer]:
    """asyncssh refusing posix-rename and hardlink: the backend's fallbacks run."""
    yield from _asyncssh_server(os.path.join(ssh_workdir, "sftpv3"), _SFTPv3Server)


_SSHD_CONFIG = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {folder}/host_key
PidFile none
UsePAM no
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AuthorizedKeysFile {folder}/client_key.pub
Subsystem sftp {sftp_server}
MaxStartups 64:30:100
MaxSessions 64
LogLevel ERROR
"""


@pytest.fixture(scope="session")
def sshd_server(ssh_workdir: str) -> Iterator[SSHServer]:
    sshd = require_executable("sshd", "/usr/sbin/sshd")
    sftp_server = "/usr/lib/openssh/sftp-server"
    if not os.access(sftp_server, os.X_OK):
        sftp_server = "internal-sftp"
    folder = os.path.join(ssh_workdir, "sshd")
    data = os.path.join(folder, "data")
    os.makedirs(data)
    host_key, _ = _keys(folder)
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    port = free_port()
    config = os.path.join(folder, "sshd_config")
    with open(config, "w", encoding="utf-8") as handle:
        handle.write(_SSHD_CONFIG.format(port=port, folder=folder, sftp_server=sftp_server))
    check = subprocess.run([sshd, "-t", "-f", config], capture_output=True, text=True)
    if check.returncode != 0:
        server_missing(f"sshd rejects its config: {check.stderr.strip()}")
    server = ServerProcess([sshd, "-D", "-e", "-f", config])
    try:
        wait_for_port(port, timeout=20)
    except TimeoutError as exc:
        server.stop()
        server_missing(f"sshd did not start: {exc}")
    with open(os.path.join(folder, "client_key"), encoding="utf-8") as handle:
        key_text = handle.read()
    with server.running():
        yield SSHServer(
            kind="openssh",
            port=port,
            host_key_line=_known_line(host_key, port),
            key_path=os.path.join(folder, "client_key"),
            key_text=key_text,
            username=getpass.getuser(),
            data_dir=data,
            remote_prefix=data,
        )


@pytest.fixture(params=["asyncssh", "openssh"])
def server(request: pytest.FixtureRequest) -> SSHServer:
    """Each test using it runs once per server."""
    name = "asyncssh_server" if request.param == "asyncssh" else "sshd_server"
    found: SSHServer = request.getfixturevalue(name)
    return found


@pytest.fixture
def make_backend(server: SSHServer) -> Iterator[Callable[..., SFTPBackend]]:
    """Build backends on ``server``; closes them after the test."""
    made: list[SFTPBackend] = []

    def make(**options: Any) -> SFTPBackend:
        backend = server.backend(**options)
        made.append(backend)
        return backend

    yield make
    for backend in made:
        backend.close()
