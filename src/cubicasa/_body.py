"""The body reader, with the limits a hostile server cannot stretch: a cap on the decoded size of
a body read into memory (however it is compressed), and a minimum rate for downloads (however
slowly they crawl). The deadline of each try is in `_deadlines`."""

from __future__ import annotations

import io
import time
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import httpx

from ._httpx_reach import try_deadline
from .errors import UNDECODABLE, ResponseTooLargeError, ResponseValidationError

# A page of 100 orders is about 100 KB; a body read into memory may decode to 64 MiB at most.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
# A JSON body read into memory may hold at most one value (`{`, `[` or `,`) per this many bytes
# of the cap: parsed, each costs up to ~90 bytes of Python objects, so a 64 MiB cap lets a body
# build ~100 MiB at most (a page of 100 orders holds ~5,000).
BYTES_PER_JSON_VALUE = 64
# Bodies shorter than this are not counted (nothing that small can build much).
COUNT_JSON_FROM = 256 * 1024
# A download must bring 1 KiB a second on average over each window of the read timeout.
DEFAULT_MIN_DOWNLOAD_RATE = 1024.0

# Inflating gives at most this much at a time, so a bomb is stopped one step past the cap.
STEP = 1024 * 1024


class Decoder:
    """Undoes the Content-Encoding (gzip, deflate) a step at a time, never producing more than
    `limit` bytes in all: a 2 MB gzip body that inflates to 2 GiB fails after `limit` bytes, and
    memory holds no more than `limit` plus one step."""

    def __init__(self, response: httpx.Response, request: httpx.Request, limit: int | None) -> None:
        self._request = request
        self.limit = limit
        self.size = 0
        codings = response.headers.get("content-encoding")
        self._stages = (
            [
                _Inflate(coding)
                for coding in reversed([c.strip().lower() for c in codings.split(",")])
                if coding in _WBITS
            ]
            if codings
            else []
        )
        self.decodes = bool(self._stages)

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded pieces of one chunk off the wire."""
        pieces: Iterable[bytes] = [data]
        for stage in self._stages:
            pieces = stage.inflate(pieces)
        return self._counted(pieces)

    def flush(self) -> Iterator[bytes]:
        """What the decoders still hold once the body has ended."""
        pieces: Iterable[bytes] = []
        for stage in self._stages:
            pieces = stage.finish(pieces)
        return self._counted(pieces)

    def count(self, piece: bytes) -> bytes:
        self.size += len(piece)
        if self.limit is not None and self.size > self.limit:
            raise ResponseTooLargeError(self._request, self.limit)
        return piece

    def _counted(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        for piece in pieces:
            yield self.count(piece)


_WBITS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}


class _Inflate:
    def __init__(self, coding: str) -> None:
        self._name = "gzip" if coding != "deflate" else "deflate"
        self._raw_fallback = coding == "deflate"  # some servers send deflate without a header
        self._started = False
        self._z = zlib.decompressobj(_WBITS[coding])

    def inflate(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        for data in pieces:
            out = self._first(data)
            while True:
                if out:
                    yield out
                if not self._z.unconsumed_tail:
                    break
                out = self._step(self._z.unconsumed_tail)

    def finish(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        yield from self.inflate(pieces)
        yield self._z.flush()

    def _first(self, data: bytes) -> bytes:
        try:
            out = self._step(data)
        except httpx.DecodingError:
            if not self._raw_fallback or self._started:
                raise
            self._raw_fallback = False
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._step(data)
        self._started = True
        return out

    def _step(self, data: bytes) -> bytes:
        try:
            return self._z.decompress(data, STEP)
        except zlib.error as exc:
            raise httpx.DecodingError(f"bad {self._name} body: {exc}") from exc


def past(deadline: float | None, request: httpx.Request) -> None:
    """Between two chunks: the try's deadline, for transports that do not see it (an
    `http_client`'s, or a fake's)."""
    if deadline is not None and time.monotonic() > deadline:
        raise httpx.ReadTimeout("the try's deadline passed", request=request)


def read_body(
    response: httpx.Response, request: httpx.Request, limit: int, deadline: float | None
) -> httpx.Response:
    """The response with its whole body read, decoded and capped, inside the current try."""
    decoder = Decoder(response, request, limit)
    pieces = _Pieces()
    stream = response.stream
    assert isinstance(stream, httpx.SyncByteStream)
    try:
        for chunk in stream:
            if decoder.decodes:
                pieces.extend(decoder.feed(chunk))
            else:
                pieces.append(decoder.count(chunk))
            if deadline is not None and time.monotonic() > deadline:
                past(deadline, request)
        if decoder.decodes:
            pieces.extend(decoder.flush())
    except httpx.DecodingError as exc:
        return _undecodable(response, request, decoder, exc)
    finally:
        stream.close()
    body = pieces.joined()
    return _check_values(_holding(response, decoder, body), request, body, limit)


async def aread_body(
    response: httpx.Response, request: httpx.Request, limit: int, deadline: float | None
) -> httpx.Response:
    """The async twin of `read_body`."""
    decoder = Decoder(response, request, limit)
    pieces = _Pieces()
    stream = response.stream
    assert isinstance(stream, httpx.AsyncByteStream)
    try:
        async for chunk in stream:
            if decoder.decodes:
                pieces.extend(decoder.feed(chunk))
            else:
                pieces.append(decoder.count(chunk))
            if deadline is not None and time.monotonic() > deadline:
                past(deadline, request)
        if decoder.decodes:
            pieces.extend(decoder.flush())
    except httpx.DecodingError as exc:
        return _undecodable(response, request, decoder, exc)
    finally:
        await stream.aclose()
    body = pieces.joined()
    return _check_values(_holding(response, decoder, body), request, body, limit)


class _Pieces:
    """A body's pieces, joined without a second copy of the whole: a body of one piece is that
    piece; more are written into one buffer as they come, so a 64 MiB body peaks at about 64 MiB
    (a list of pieces and their join would hold it twice)."""

    def __init__(self) -> None:
        self._first = b""
        self._buffer: io.BytesIO | None = None

    def append(self, piece: bytes) -> None:
        if self._buffer is not None:
            self._buffer.write(piece)
        elif not self._first:
            self._first = piece
        elif piece:
            self._buffer = io.BytesIO()
            self._buffer.write(self._first)
            self._buffer.write(piece)
            self._first = b""

    def extend(self, pieces: Iterable[bytes]) -> None:
        for piece in pieces:
            self.append(piece)

    def joined(self) -> bytes:
        # getvalue() hands over the buffer itself (shrunk in place), not a copy.
        return self._first if self._buffer is None else self._buffer.getvalue()


def _undecodable(
    response: httpx.Response, request: httpx.Request, decoder: Decoder, exc: Exception
) -> httpx.Response:
    """A body whose Content-Encoding does not decode is the server's answer gone wrong, not a
    connection failure: a 2xx is a ResponseValidationError; a 3xx/4xx/5xx keeps its status (and
    its error), with an empty body."""
    response = _holding(response, decoder, b"")
    response.request = request
    response.read()
    response.extensions = {**response.extensions, UNDECODABLE: str(exc)}
    if response.is_success:
        raise ResponseValidationError(response, f"the body does not decode: {exc}", text="")
    return response


def _check_values(
    response: httpx.Response, request: httpx.Request, body: bytes, limit: int
) -> httpx.Response:
    """Refuses a 2xx whose JSON would build more values than the cap allows (a small body of
    millions of `{}` parses to gigabytes of objects). Error bodies are bounded in `errors`."""
    if len(body) < COUNT_JSON_FROM or not response.is_success:
        return response
    if body[:64].lstrip()[:1] not in (b"{", b"["):
        return response
    most = limit // BYTES_PER_JSON_VALUE
    values = body.count(b"{") + body.count(b"[") + body.count(b",")
    if values > most:
        response.request = request
        response.stream = httpx.ByteStream(body[:4096])
        response.read()
        raise ResponseValidationError(
            response,
            f"a JSON body of {values:,} values: more than the {most:,} that max_response_bytes "
            f"allows (one per {BYTES_PER_JSON_VALUE} bytes of the cap)",
            text=body[:4096].decode("utf-8", "replace"),
        )
    return response


def _holding(response: httpx.Response, decoder: Decoder, body: bytes) -> httpx.Response:
    """`response`, its stream replaced by the body already read (decoded: httpx must not decode
    it again). Cheaper than a new Response: this runs on every call."""
    if decoder.decodes:
        del response.headers["content-encoding"]
        response.headers["content-length"] = str(len(body))
    response.stream = httpx.ByteStream(body)
    return response


class DownloadStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A download's body as it arrives, decoded when the server compressed it although asked
    not to (then capped at `limit`), failing with a timeout when it crawls: every window of
    `window` seconds must bring at least `min_rate * window` bytes."""

    def __init__(
        self,
        response: httpx.Response,
        request: httpx.Request,
        limit: int,
        min_rate: float,
        window: float,
    ) -> None:
        self._response = response
        self._request = request
        self._decoder = Decoder(response, request, limit)
        if not self._decoder.decodes:
            self._decoder.limit = None  # the bytes on the wire: no amplification to cap
        self._need = min_rate * window
        self._window = window
        self._started = time.monotonic()
        self._got = 0

    def headers(self) -> Any:
        if not self._decoder.decodes:
            return self._response.headers
        headers = self._response.headers.copy()
        for name in ("content-encoding", "content-length"):
            headers.pop(name, None)
        return headers

    def _read_deadline(self) -> float | None:
        # The end of the first window that has not yet brought enough bytes: a read still
        # waiting then has lost the download.
        if self._need <= 0:
            return None
        ends = self._started + self._window
        return ends if self._got < self._need else ends + self._window

    def _arrived(self, chunk: bytes) -> Iterator[bytes]:
        now = time.monotonic()
        self._got += len(chunk)
        while now >= self._started + self._window:
            if self._got < self._need:
                raise self._crawled()
            self._started += self._window
            self._got = 0
        return self._guarded(self._decoder.feed(chunk))

    def _guarded(self, pieces: Iterator[bytes]) -> Iterator[bytes]:
        """`pieces`, a Content-Encoding that does not decode being the answer's fault (a typed
        error of the response), not the connection's."""
        try:
            yield from pieces
        except httpx.DecodingError as exc:
            self._response.request = self._request
            reason = f"the body does not decode: {exc}"
            raise ResponseValidationError(self._response, reason, text="") from exc

    def _crawled(self) -> httpx.ReadTimeout:
        return httpx.ReadTimeout(
            f"the download brought fewer than {self._need:.0f} bytes in {self._window:g} s "
            "(min_download_rate)",
            request=self._request,
        )

    def _timed_out(self, exc: httpx.ReadTimeout, deadline: float | None) -> httpx.ReadTimeout:
        if deadline is not None and time.monotonic() >= deadline - 0.01:
            return self._crawled()
        return exc

    def __iter__(self) -> Iterator[bytes]:
        stream = self._response.stream
        assert isinstance(stream, httpx.SyncByteStream)
        chunks = iter(stream)
        while True:
            deadline = self._read_deadline()
            token = try_deadline.set(deadline)
            try:
                chunk = next(chunks)
            except StopIteration:
                break
            except httpx.ReadTimeout as exc:
                raise self._timed_out(exc, deadline) from exc
            finally:
                try_deadline.reset(token)
            yield from self._arrived(chunk)
        yield from self._guarded(self._decoder.flush())

    async def __aiter__(self) -> AsyncIterator[bytes]:
        stream = self._response.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        chunks = stream.__aiter__()
        while True:
            deadline = self._read_deadline()
            token = try_deadline.set(deadline)
            try:
                chunk = await chunks.__anext__()
            except StopAsyncIteration:
                break
            except httpx.ReadTimeout as exc:
                raise self._timed_out(exc, deadline) from exc
            finally:
                try_deadline.reset(token)
            for piece in self._arrived(chunk):
                yield piece
        for piece in self._guarded(self._decoder.flush()):
            yield piece

    def close(self) -> None:
        self._response.close()

    async def aclose(self) -> None:
        await self._response.aclose()


def streamed(
    response: httpx.Response,
    request: httpx.Request,
    limit: int,
    min_rate: float,
    window: float,
) -> httpx.Response:
    """A download's response whose body streams through a `DownloadStream`."""
    stream = DownloadStream(response, request, limit, min_rate, window)
    return httpx.Response(
        response.status_code,
        headers=stream.headers(),
        stream=stream,
        request=request,
        extensions=response.extensions,
    )
