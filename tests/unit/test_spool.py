"""The conversation-log spool: bounded, in order, retried until the database is back."""

from __future__ import annotations

from bot.web.spool import Spool


async def test_retries_in_order_until_the_write_works() -> None:
    written: list[str] = []
    failing = {"on": True}

    def write(text: str) -> None:
        if failing["on"]:
            raise OSError("locked")
        written.append(text)

    spool = Spool()
    spool.add(write, ("a",))
    spool.add(write, ("b",))
    assert await spool.flush() == 0 and len(spool) == 2
    failing["on"] = False
    assert await spool.flush() == 2 and written == ["a", "b"] and len(spool) == 0


async def test_is_bounded() -> None:
    spool = Spool(limit=2)
    for text in "abc":
        spool.add(print, (text,))
    assert len(spool) == 2 and spool.dropped == 1
