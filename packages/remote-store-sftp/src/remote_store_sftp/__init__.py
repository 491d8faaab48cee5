"""remote-store-sftp: the SFTP backend (paramiko)."""

from remote_store_sftp._backend import SFTPBackend
from remote_store_sftp._hostkeys import HostKeyPolicy, SFTPUtils, UnknownHostKey

__all__ = ["HostKeyPolicy", "SFTPBackend", "SFTPUtils", "UnknownHostKey"]
