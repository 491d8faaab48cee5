"""Extensions for :class:`remote_store.aio.AsyncStore`."""
