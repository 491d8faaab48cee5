"""moto's S3 server on 127.0.0.1 for the benchmarks, in its own process.

``python _moto.py LOGFILE BUCKET``: starts the server on a free port, creates ``BUCKET``,
prints ``PORT`` on stdout, appends one line per HTTP request to ``LOGFILE`` (werkzeug's
request log: the runner counts requests per operation from it) and stops when stdin
closes.
"""

from __future__ import annotations

import logging
import os
import sys

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")


def main() -> None:
    log_path, bucket = sys.argv[1], sys.argv[2]
    from moto.server import ThreadedMotoServer

    handler = logging.FileHandler(log_path)
    handler.setFormatter(logging.Formatter("%(message)s"))
    werkzeug = logging.getLogger("werkzeug")
    werkzeug.setLevel(logging.INFO)
    werkzeug.propagate = False
    werkzeug.addHandler(handler)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    import boto3

    boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    ).create_bucket(Bucket=bucket)
    print(port, flush=True)
    try:
        sys.stdin.read()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
