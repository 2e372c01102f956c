"""asbuilt from Python: event logs, directly-follows graphs and the Work Reality Gap.

A binding of the asbuilt C library (libasbuilt.so.0, loaded with ctypes from
next to this package, from $ASBUILT_LIBRARY, or from the system path) that
answers in the shapes PM4Py users know::

    import asbuilt
    log = asbuilt.from_dataframe(df)               # PM4Py's column names by default
    dfg, start, end = asbuilt.discover_dfg(log)   # as pm4py.discover_dfg
    with asbuilt.diff(log, "process.bpmn") as gap: # the asbuilt.gap/1 report, a dict
        print(gap.headline)
        gap.cases()                               # one row per case
        gap.html("gap.html")

Logs and reports hold library handles: close them with `close()` or a `with`
block (a finalizer frees them otherwise). Nothing is shared between objects,
so separate threads may work on separate objects; a log may be read by
several threads at once. Long calls release the GIL (numbering a column of
separate str objects keeps it: it reads the objects).
"""
import ctypes
import json
import os
import threading
import weakref

from . import _lib as L
from ._errors import (AB_EINVAL, AB_ELIMIT, AB_OK, AsbuiltError, AsbuiltIOError, DataError,
                      GateExceeded, InternalError, UsageError, _class_for)

__all__ = [
    "Log", "GapReport", "read_log", "from_dataframe", "discover_dfg", "get_variants", "stats",
    "diff", "AsbuiltError", "UsageError", "DataError", "AsbuiltIOError", "InternalError",
    "GateExceeded", "library_version", "library_path",
]

__version__ = "0.1.0"
library_version = L.version
library_path = L.path

# ---- Handles ----------------------------------------------------------------------------------

_live_lock = threading.Lock()
_live = [0]


def _live_handles():
    """Library handles not yet freed (for tests: every close() brings it back down)."""
    with _live_lock:
        return _live[0]


def _count(n):
    with _live_lock:
        _live[0] += n


def _destroy(handles):
    """Frees (destroy_fn, pointer) pairs in order: dependants before what they use."""
    for destroy, ptr in handles:
        destroy(ptr)
    handles.clear()


def _free_all(handles):
    """_destroy for handles an _Owner counted as live."""
    n = len(handles)
    _destroy(handles)
    _count(-n)


class _Owner:
    """Holds library handles and frees them once: on close(), at the end of a with block,
    or, as a fallback, when garbage collected."""

    def _own(self, handles):
        # handles: list of (destroy, pointer), freed in list order.
        self._handles = handles
        _count(len(handles))
        self._finalizer = weakref.finalize(self, _free_all, handles)

    def close(self):
        """Frees the library handles now. Further use raises UsageError."""
        self._finalizer()

    @property
    def closed(self):
        return not self._finalizer.alive

    def _check(self):
        if not self._finalizer.alive:
            raise UsageError(f"this {type(self).__name__} is closed", AB_EINVAL)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _Ctx:
    """A short-lived ab_ctx for one call (a context is used by one thread at a time)."""

    def __enter__(self):
        p = ctypes.c_void_p()
        if L.ab_ctx_create(ctypes.byref(p), None) != AB_OK:
            raise InternalError("out of memory")
        self.ptr = p
        return p

    def __exit__(self, *exc):
        L.ab_ctx_destroy(self.ptr)


def _raise(status, err, what=None):
    buf = ctypes.create_string_buffer(1024)
    if err is not None and err.code != AB_OK:
        L.ab_error_format(ctypes.byref(err), buf, len(buf))
        msg = buf.value.decode("utf-8", "replace")
        src = err.source.decode("utf-8", "replace") or None
        line, col = err.line or None, err.col or None
        off = err.offset if err.has_offset else None
    else:
        msg = L.ab_status_str(status).decode()
        src = line = col = off = None
    if what:
        msg = f"{what}: {msg}"
    raise _class_for(status)(msg, status, src, line, col, off)


def _buf_text(write, *args):
    """Calls a writer that fills an ab_buf and returns its text."""
    buf = L.Buf()
    err = L.Error()
    try:
        st = write(*args, buf, ctypes.byref(err)) if write is not None else None
        if st != AB_OK:
            _raise(st, err)
        return buf.bytes().decode("utf-8")
    finally:
        L.ab_buf_dispose(ctypes.byref(buf))


def _cstrs(items):
    enc = [os.fsencode(s) for s in items]
    arr = (ctypes.c_char_p * (len(enc) + 1))(*enc, None)
    return arr, enc


# ---- Logs -------------------------------------------------------------------------------------

_LIFECYCLE = {"all": 0, "complete": 1}


class Log(_Owner):
    """A finished, immutable event log. Made by read_log() or from_dataframe()."""

    def __init__(self, ctx, ptr, files, lifecycle, columns=None):
        self._ptr = ptr
        self._ctx = ctx
        self.files = list(files)
        self.lifecycle = lifecycle
        # A log from a DataFrame keeps its columns: discover_dfg counts straight from them,
        # and the log itself is built (in ctx) when something first needs it.
        self._columns = columns
        self._lock = threading.Lock()
        self._users = 0  # Reports that point into the log.
        self._close_pending = False
        # The log is destroyed before the context that allocated it.
        handles = [(L.ab_ctx_destroy, ctx)]
        if ptr is not None:
            handles.insert(0, (L.ab_log_destroy, ptr))
        self._own(handles)

    def close(self):
        """Frees the log now, or, while a GapReport made from it is open, when the last
        one closes. Further use raises UsageError."""
        with self._lock:
            if self._users > 0:
                self._close_pending = True
                return
        self._finalizer()

    @property
    def closed(self):
        return self._close_pending or not self._finalizer.alive

    def _acquire(self):
        with self._lock:
            self._check()
            self._users += 1

    def _release(self):
        with self._lock:
            self._users -= 1
            free = self._users == 0 and self._close_pending
        if free:
            self._finalizer()

    @property
    def ptr(self):
        if self._close_pending:
            raise UsageError("this Log is closed", AB_EINVAL)
        self._check()
        p = self._ptr
        return p if p is not None else self._build()

    def _build(self):
        """Builds the log from its columns, once (the first caller builds, others wait)."""
        with self._lock:
            self._check()
            if self._ptr is None:
                c = self._columns
                cols = c.full()
                out = ctypes.c_void_p()
                err = L.Error()
                st = L.ab_log_from_columns(ctypes.byref(out), self._ctx, ctypes.byref(cols),
                                           ctypes.byref(c.options), ctypes.byref(err))
                if st != AB_OK:
                    _raise(st, err)
                self._handles.insert(0, (L.ab_log_destroy, out))
                _count(1)
                self._ptr = out
            return self._ptr

    def __len__(self):
        return self.cases

    @property
    def cases(self):
        if self._ptr is None and self._columns is not None:
            return _columns_dfg(self, lambda c: c.cases)
        return L.ab_log_case_count(self.ptr)

    @property
    def events(self):
        if self._ptr is None and self._columns is not None:
            return _columns_dfg(self, lambda c: c.events)
        return L.ab_log_event_count(self.ptr)

    @property
    def activities(self):
        p = self.ptr
        return [L.ab_log_activity_name(p, a).decode() for a in range(L.ab_log_activity_count(p))]

    def to_dataframe(self):
        """The events as a pandas DataFrame in PM4Py's format, in the log's order (case by
        case, each sorted by time): case:concept:name, concept:name (categoricals),
        time:timestamp (UTC), and start_timestamp, org:resource, lifecycle:transition when
        the log has them. from_dataframe() of it gives this log back."""
        import numpy as np
        import pandas as pd

        p = self.ptr
        n = L.ab_log_event_count(p)

        def arr(ptr, dtype):
            if n == 0 or not ptr:
                return np.zeros(0, dtype=dtype)
            return np.ctypeslib.as_array(ptr, shape=(n,)).astype(dtype, copy=True)

        def times(ptr):
            t = arr(ptr, np.int64)
            none = t == np.iinfo(np.int64).min
            t = t * 1000
            t[none] = np.iinfo(np.int64).min
            return pd.to_datetime(t.view("datetime64[ns]")).tz_localize("UTC")

        def names(count, fn):
            return [fn(p, i).decode("utf-8") for i in range(count)]

        case_names = names(L.ab_log_case_count(p), L.ab_log_case_id)
        act_names = names(L.ab_log_activity_count(p), L.ab_log_activity_name)
        def cat(codes, names_):
            return pd.Categorical.from_codes(codes, categories=pd.Index(names_, dtype=object))

        cols = {
            "case:concept:name": cat(arr(L.ab_log_col_case(p), np.int32), case_names),
            "concept:name": cat(arr(L.ab_log_col_activity(p), np.int32), act_names),
        }
        if L.ab_log_has_timestamps(p):
            cols["time:timestamp"] = times(L.ab_log_col_time(p))
        start = L.ab_log_col_start(p)
        if start:
            cols["start_timestamp"] = times(start)
        nres = L.ab_log_resource_count(p)
        if nres > 0:
            codes = arr(L.ab_log_col_resource(p), np.int64)
            codes[codes == 0xFFFFFFFF] = -1
            cols["org:resource"] = cat(codes.astype(np.int32),
                                       names(nres, L.ab_log_resource_name))
        lc = arr(L.ab_log_col_lifecycle(p), np.int32)
        if n and lc.any():
            top = int(lc.max())
            lc_names = [L.ab_lifecycle_name(i).decode() for i in range(top + 1)]
            lc[lc == 0] = -1
            cols["lifecycle:transition"] = cat(lc, lc_names).remove_unused_categories()
        return pd.DataFrame(cols)

    def __repr__(self):
        if self.closed:
            return "<asbuilt.Log closed>"
        return f"<asbuilt.Log {self.cases} cases, {self.events} events>"


def _new_ctx():
    p = ctypes.c_void_p()
    if L.ab_ctx_create(ctypes.byref(p), None) != AB_OK:
        raise InternalError("out of memory")
    return p


_READ_OPTIONS = {
    "case": "case_col", "activity": "activity_col", "timestamp": "timestamp_col",
    "start_timestamp": "start_col", "resource": "resource_col",
    "lifecycle_column": "lifecycle_col",
}


def read_log(path, *, case=None, activity=None, timestamp=None, start_timestamp=None,
             resource=None, lifecycle_column=None, delimiter=None, timestamp_format=None,
             tz=None, classifier=None, lifecycle="all", strict=False):
    """Reads an XES or CSV log (gzip-compressed or not, told by content) as the command line
    does; `path` may be a list of files that form one log. The options are the command
    line's: --case, --activity, --timestamp, --start-timestamp, --resource,
    --lifecycle-column (column names; "" for none), --delimiter (',', ';', '|' or 'tab'),
    --timestamp-format, --tz, --classifier, --lifecycle all|complete, --strict."""
    paths = [path] if isinstance(path, (str, bytes, os.PathLike)) else list(path)
    if not paths:
        raise UsageError("no log file given", AB_EINVAL)
    paths = [os.fsdecode(p) for p in paths]
    o = L.read_options()
    keep = []
    given = {"case": case, "activity": activity, "timestamp": timestamp,
             "start_timestamp": start_timestamp, "resource": resource,
             "lifecycle_column": lifecycle_column}
    for k, v in given.items():
        if v is not None:
            b = str(v).encode()
            keep.append(b)
            setattr(o.csv, _READ_OPTIONS[k], b)
    if delimiter is not None:
        d = {"tab": "\t", "\\t": "\t"}.get(delimiter, delimiter)
        if d not in (",", ";", "|", "\t"):
            raise UsageError(f"delimiter takes ',', ';', '|' or 'tab', not {delimiter!r}",
                             AB_EINVAL)
        o.csv.delimiter = d.encode()
    if lifecycle not in _LIFECYCLE:
        raise UsageError(f"lifecycle takes 'all' or 'complete', not {lifecycle!r}", AB_EINVAL)
    o.log.lifecycle = _LIFECYCLE[lifecycle]
    o.log.strict = 1 if strict else 0
    if classifier is not None:
        keep.append(classifier.encode())
        o.xes.classifier = keep[-1]
    err = L.Error()
    if timestamp_format is not None:
        st = L.ab_ts_format_parse(ctypes.byref(o.csv.ts_format), timestamp_format.encode(),
                                  ctypes.byref(err))
        if st != AB_OK:
            raise UsageError(f"timestamp_format: {err.msg.decode()}", AB_EINVAL)
    ctx = _new_ctx()
    tzp = ctypes.c_void_p()
    out = ctypes.c_void_p()
    try:
        if tz is not None:
            st = L.ab_tz_load(ctypes.byref(tzp), ctx, tz.encode(), ctypes.byref(err))
            if st != AB_OK:
                raise UsageError(f"tz {tz}: {err.msg.decode()}", AB_EINVAL)
            o.csv.tz = tzp
        arr, _enc = _cstrs(paths)
        st = L.ab_ingest_files(ctypes.byref(out), ctx, arr, len(paths), ctypes.byref(o),
                               ctypes.byref(err))
        if st != AB_OK:
            _raise(st, err)
    except BaseException:
        L.ab_tz_destroy(tzp)
        L.ab_ctx_destroy(ctx)
        raise
    L.ab_tz_destroy(tzp)
    return Log(ctx, out, paths, lifecycle)


def _name(x):
    """The name the library gets for a value of a DataFrame cell ("" for a missing one)."""
    if type(x) is str:
        return x
    if x is None:
        return ""
    try:
        import pandas as pd
        if pd.isna(x):
            return ""
    except (TypeError, ValueError):
        pass
    return str(x)


def _names(values):
    """_name of each value (strings, the usual case, without a call)."""
    return [x if type(x) is str else _name(x) for x in values]


def _factorize_keys(keys, max_count=0):
    """Codes (int32, in order of first appearance) and the first row of each distinct value
    of a contiguous array of 8-byte keys: the library hashes them, without the GIL. None
    when there are more than max_count (> 0) distinct keys."""
    import numpy as np

    n = len(keys)
    codes = np.empty(n, dtype=np.int32)
    first = np.empty(max(n, 1), dtype=np.uint64)
    count = ctypes.c_uint32()
    err = L.Error()
    with _Ctx() as ctx:
        st = L.ab_keys_factorize(ctx, keys.ctypes.data, n, max_count, codes.ctypes.data,
                                 first.ctypes.data, ctypes.byref(count), ctypes.byref(err))
    if st == AB_ELIMIT and max_count:
        return None
    if st != AB_OK:
        _raise(st, err)
    return codes, first[:count.value]


def _factorize_names(values):
    """Codes (int32, in order of first appearance) and the first row of each distinct value
    of an object array of str: the library hashes their UTF-8 bytes, which CPython's
    PyUnicode_AsUTF8AndSize gives it cell by cell, with the GIL held. None when a cell is
    not a str (None, NaN, another type) or not UTF-8 (a lone surrogate), or on another
    Python: the caller then numbers the column as before."""
    import numpy as np

    if L.ab_names_factorize_gil is None:
        return None
    n = len(values)
    codes = np.empty(n, dtype=np.int32)
    first = np.empty(max(n, 1), dtype=np.uint64)
    count = ctypes.c_uint32()
    done = ctypes.c_uint64()
    err = L.Error()
    with _Ctx() as ctx:
        try:
            st = L.ab_names_factorize_gil(ctx, values.ctypes.data, n, L.PyUnicode_AsUTF8AndSize,
                                          codes.ctypes.data, first.ctypes.data,
                                          ctypes.byref(count), ctypes.byref(done),
                                          ctypes.byref(err))
        except (TypeError, UnicodeError):  # What the getter raises for such a cell.
            return None
    if st != AB_OK:
        _raise(st, err)
    if done.value != n:
        return None
    return codes, first[:count.value]


# Cells looked at to tell whether an object column shares its objects.
_SAMPLE = 4096


def _shares_objects(values):
    """Whether the cells of an object array share the objects of equal values, as pandas'
    readers and astype(object) of a categorical give them, rather than hold one object each,
    as readers that make a string per XML attribute give them: a sample of cells spread over
    the column has not many more distinct objects than distinct values."""
    import numpy as np

    n = len(values)
    sample = np.ascontiguousarray(values[::max(1, n // _SAMPLE)][:_SAMPLE])
    try:
        nvalues = len(set(sample.tolist()))
    except TypeError:  # Unhashable cells: pandas says what it makes of them.
        return False
    return len(_factorize_keys(sample)[1]) <= 2 * nvalues + 16


def _codes(series):
    """(codes, names) of a column: int32 codes of our own (-1 = missing) and a list with the
    name (str) of each code, "" for a missing value; names may repeat (the library merges
    equal names)."""
    import numpy as np
    import pandas as pd

    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = np.array(series.array.codes, dtype=np.int32)  # A copy: the frame may change.
        return codes, _names(series.cat.categories.tolist())
    values = None
    if dtype == object:
        values = np.ascontiguousarray(series.to_numpy())
    elif isinstance(dtype, pd.StringDtype):
        values = np.ascontiguousarray(series.to_numpy(dtype=object, na_value=None))
    elif dtype.kind in "iu" and dtype.itemsize <= 8:
        values = np.ascontiguousarray(series.to_numpy(), dtype=np.int64)
    got = None
    if values is not None and values.dtype != object:
        got = _factorize_keys(values.view(np.uint64))  # Integers are their own keys.
    elif values is not None and _shares_objects(values):
        # An object array holds the addresses of its objects: equal addresses are equal
        # values, so each distinct object is named once. Should the objects prove mostly
        # distinct after all, their strings are hashed instead.
        got = _factorize_keys(values, max(_SAMPLE, len(values) // 4))
    if got is None and values is not None and values.dtype == object:
        # One str object per cell, as readers that make a string per XML attribute give
        # them: the library hashes the strings' bytes.
        got = _factorize_names(values)
    if got is not None:
        codes, first = got
        return codes, _names(values[first].tolist())
    # The object array itself when there is one: pandas then skips the Series' checks.
    codes, uniques = pd.factorize(values if values is not None else series, sort=False)
    return np.array(codes, dtype=np.int32), _names(uniques.tolist())


def _dict_column(series):
    """An ab_log_dict_column of a column, the arrays it points into, and its names."""
    import numpy as np

    codes, names = _codes(series)
    m = len(names)
    offsets = np.zeros(m + 1, dtype=np.uint64)
    joined = "\0".join(names)
    if joined.count("\0") == max(m - 1, 0):
        # One encoding of all names; a NUL is one byte in UTF-8 and in no other character,
        # so the separators give the offsets (names without them, back to back).
        sep = joined.encode("utf-8")
        ends = np.flatnonzero(np.frombuffer(sep, dtype=np.uint8) == 0)
        offsets[1:m] = ends - np.arange(m - 1)
        blob = sep.replace(b"\0", b"")
        offsets[m] = len(blob)
    else:  # Names with NULs in them.
        enc = [x.encode("utf-8") for x in names]
        blob = b"".join(enc)
        np.cumsum(np.fromiter(map(len, enc), dtype=np.uint64, count=m), out=offsets[1:])
    col = L.DictColumn()
    col.codes = codes.ctypes.data_as(ctypes.POINTER(ctypes.c_int32))
    col.names = blob
    col.names_len = len(blob)
    col.offsets = offsets.ctypes.data_as(ctypes.POINTER(ctypes.c_uint64))
    col.count = len(names)
    return col, (codes, offsets, blob), names


def _time_column(series, what):
    """Int64 nanoseconds since 1970 UTC (a copy of our own; NaT = INT64_MIN), and whether
    the times had no zone."""
    import numpy as np
    import pandas as pd

    if not pd.api.types.is_datetime64_any_dtype(series):
        raise UsageError(f"the {what} column {series.name!r} is not of a datetime type "
                         f"(it is {series.dtype}); convert it with pandas.to_datetime",
                         AB_EINVAL)
    arr = series.array  # A DatetimeArray: UTC instants, whatever the zone shown.
    if getattr(arr, "unit", "ns") != "ns":
        arr = arr.as_unit("ns")
    ns = np.array(arr.asi8, dtype=np.int64)
    return ns.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)), ns, arr.tz is None


class _Columns:
    """A DataFrame's columns as the library takes them (ab_log_columns and the options), the
    arrays they point into, and the activity name of each code."""

    def __init__(self, cols, options, keep, activity_names, deferred):
        self.cols = cols
        self.options = options
        self.keep = keep
        self.activity_names = activity_names
        self.deferred = deferred  # (field, Series) read when the log is built.
        self._full = None

    def read_deferred(self, cols=None):
        """Reads the deferred columns into cols (by default self.cols, before anything else
        uses it)."""
        for field, series in self.deferred:
            col, k, _ = _dict_column(series)
            self.keep.append(k)
            setattr(self.cols if cols is None else cols, field, col)
        self.deferred = []

    def full(self):
        """The columns with the deferred ones read, in a copy made once: self.cols stays as it
        is for counts that may run in other threads meanwhile."""
        if self._full is None:
            cols = L.LogColumns.from_buffer_copy(self.cols)
            self.read_deferred(cols)
            self._full = cols
        return self._full


def from_dataframe(df, case_id="case:concept:name", activity_key="concept:name",
                   timestamp_key="time:timestamp", start_timestamp_key=None, resource_key=None,
                   lifecycle_key="lifecycle:transition", *, role_key=None, lifecycle="all",
                   strict=False):
    """A log from a pandas DataFrame in PM4Py's format, one row per event. The columns go to
    the library as arrays (codes and names, int64 nanoseconds), never as text.
    Timestamps must be datetime columns; times without a zone are read as UTC (and counted
    as coerced, as the CSV reader counts them). `timestamp_key=None` reads a log without
    times (rows in order); `resource_key`, `start_timestamp_key` and `role_key` (the
    performer's role, for diff's who-analysis) are optional, and the lifecycle column is used
    when the frame has it. Data-quality lines are row numbers,
    counted from 1.

    The case id, activity and time columns are read (and copied) now, so that later changes
    to the frame do not reach them, and discover_dfg counts straight from them. The log itself
    is built when another call first needs it (with strict=True, now, so that its errors come
    from here); the resource and lifecycle columns are read then (with lifecycle="complete",
    now): change them in place before, and the log sees the change."""
    keep = []
    cols = L.LogColumns()
    cols.version = 2
    cols.rows = len(df)
    cols.source = b"DataFrame"
    for key, what in ((case_id, "case id"), (activity_key, "activity")):
        if key not in df.columns:
            raise UsageError(f"the DataFrame has no {what} column {key!r}", AB_EINVAL)
    for key, what in ((timestamp_key, "timestamp"), (start_timestamp_key, "start timestamp"),
                      (resource_key, "resource"), (role_key, "role")):
        if key is not None and key not in df.columns:
            raise UsageError(f"the DataFrame has no {what} column {key!r}", AB_EINVAL)
    if lifecycle not in _LIFECYCLE:
        raise UsageError(f"lifecycle takes 'all' or 'complete', not {lifecycle!r}", AB_EINVAL)
    naive = False
    for key, field, what in ((timestamp_key, "timestamp", "timestamp"),
                             (start_timestamp_key, "start_timestamp", "start timestamp")):
        if key is None:
            continue
        ptr, arr, nv = _time_column(df[key], what)
        keep.append(arr)
        setattr(cols, field, ptr)
        naive = naive or nv
    cols.timestamps_without_zone = 1 if naive else 0
    cols.case_id, k, _ = _dict_column(df[case_id])
    keep.append(k)
    cols.activity, k, activity_names = _dict_column(df[activity_key])
    keep.append(k)
    deferred = []
    for key, field in ((resource_key, "resource"), (lifecycle_key, "lifecycle"),
                       (role_key, "role")):
        if key is not None and key in df.columns:
            deferred.append((field, df[key]))
    if role_key is not None:
        # The who-analysis reads a role from org:role, role or org:group.
        cols.role_key = (role_key if role_key in ("org:role", "role", "org:group")
                         else "org:role").encode()
    columns = _Columns(cols, None, keep, activity_names, deferred)
    if lifecycle != "all":
        columns.read_deferred()  # The directly-follows count needs the lifecycle column.
    lo = L.LogOptions()
    lo.version = 1
    lo.lifecycle = _LIFECYCLE[lifecycle]
    lo.keep_attributes = 1 if role_key is not None else 0  # Only the role is handed over.
    lo.strict = 1 if strict else 0
    columns.options = lo
    log = Log(_new_ctx(), None, [], lifecycle, columns)
    if strict:
        try:
            log._build()
        except BaseException:
            log.close()
            raise
    return log


def _columns_dfg(log, read):
    """read(counts) on the directly-follows counts of a log's columns."""
    if log.closed:
        raise UsageError("this Log is closed", AB_EINVAL)
    c = log._columns
    with _Ctx() as ctx:
        out = ctypes.c_void_p()
        err = L.Error()
        st = L.ab_columns_dfg_count(ctypes.byref(out), ctx, ctypes.byref(c.cols),
                                    ctypes.byref(c.options), ctypes.byref(err))
        if st != AB_OK:
            _raise(st, err)
        try:
            return read(L.ab_columns_dfg_get(out).contents)
        finally:
            L.ab_columns_dfg_destroy(out)


def _dfg_of_counts(c, activity_names):
    import numpy as np

    def arr(ptr, n):
        return np.ctypeslib.as_array(ptr, shape=(n,)).tolist() if n else []

    na, ne = c.activity_count, c.edge_count
    names = [activity_names[k] for k in arr(c.activity_code, na)]
    dfg = {(names[f], names[t]): n for f, t, n in zip(arr(c.edge_from, ne), arr(c.edge_to, ne),
                                                      arr(c.edge_counts, ne))}
    ends = [{names[i]: n for i, n in enumerate(arr(p, na)) if n} for p in (c.starts, c.ends)]
    return dfg, ends[0], ends[1]


class _Borrowed:
    """A Log for the length of one call: the caller's, or one made from a path or frame."""

    def __init__(self, obj):
        self.obj = obj

    def __enter__(self):
        if isinstance(self.obj, Log):
            self.log, self.owned = self.obj, False
        elif isinstance(self.obj, (str, bytes, os.PathLike, list, tuple)):
            self.log, self.owned = read_log(self.obj), True
        elif hasattr(self.obj, "columns"):
            self.log, self.owned = from_dataframe(self.obj), True
        else:
            raise UsageError(f"expected an asbuilt.Log, a path or a DataFrame, not "
                             f"{type(self.obj).__name__}", AB_EINVAL)
        return self.log

    def __exit__(self, *exc):
        if self.owned:
            self.log.close()


# ---- Results in PM4Py's shapes ----------------------------------------------------------------


def discover_dfg(log):
    """(dfg, start_activities, end_activities) as pm4py.discover_dfg gives them: dfg maps
    (a, b) to how often b directly follows a; the others map an activity to the cases that
    start (end) with it. Every event counts, in timestamp order, as in PM4Py."""
    with _Borrowed(log) as lg:
        if lg._columns is not None:
            return _columns_dfg(lg, lambda c: _dfg_of_counts(c, lg._columns.activity_names))
        return _log_dfg(lg)


def _log_dfg(lg):
    with _Ctx() as ctx:
        # Counts only: durations are kept as sketches (exact counts, less work), no examples.
        o = L.DfgOptions(2, 1, 0, 0, 100.0, 0, 1, 0)
        out = ctypes.c_void_p()
        err = L.Error()
        st = L.ab_dfg_discover(ctypes.byref(out), ctx, lg.ptr, ctypes.byref(o), ctypes.byref(err))
        if st != AB_OK:
            _raise(st, err)
        try:
            na = L.ab_dfg_activity_count(out)
            acts = L.ab_dfg_activities(out)
            names = [acts[i].name.decode("utf-8") for i in range(na)]
            ne = L.ab_dfg_edge_count(out)
            edges = L.ab_dfg_edges(out)
            dfg = {}
            for i in range(ne):
                e = edges[i]
                dfg[(names[e.from_], names[e.to])] = e.count
            ends = []
            for fn in (L.ab_dfg_starts, L.ab_dfg_ends):
                n = ctypes.c_uint32()
                p = fn(out, ctypes.byref(n))
                ends.append({names[p[i].activity]: p[i].count for i in range(n.value)})
            return dfg, ends[0], ends[1]
        finally:
            L.ab_dfg_destroy(out)


def discover_json(log):
    """`asbuilt discover`'s JSON output (schema asbuilt.dfg/1) as a dict."""
    with _Borrowed(log) as lg, _Ctx() as ctx:
        o = L.DfgOptions(2, 0, 0, 0, 100.0, 3, 100, 0)
        out = ctypes.c_void_p()
        err = L.Error()
        st = L.ab_dfg_discover(ctypes.byref(out), ctx, lg.ptr, ctypes.byref(o), ctypes.byref(err))
        if st != AB_OK:
            _raise(st, err)
        try:
            buf = L.Buf()
            try:
                if L.ab_dfg_write_json(ctypes.byref(buf), out) != AB_OK:
                    raise InternalError("out of memory")
                return json.loads(buf.bytes())
            finally:
                L.ab_buf_dispose(ctypes.byref(buf))
        finally:
            L.ab_dfg_destroy(out)


def get_variants(log):
    """{(activity, ...): cases} for every variant, the most frequent first (then by the
    activity names), as pm4py.get_variants gives the counts."""
    with _Borrowed(log) as lg:
        p = lg.ptr
        names = [L.ab_log_activity_name(p, a).decode("utf-8")
                 for a in range(L.ab_log_activity_count(p))]
        out = {}
        for v in range(L.ab_log_variant_count(p)):
            n = L.ab_log_variant_length(p, v)
            seq = L.ab_log_variant_activities(p, v)
            out[tuple(names[seq[k]] for k in range(n))] = L.ab_log_variant_cases(p, v)
        return out


def stats(log, top=10):
    """The dict `asbuilt stats --json` prints (schema asbuilt.stats/1)."""
    if not isinstance(top, int) or top < 0:
        raise UsageError(f"top takes a whole number >= 0, not {top!r}", AB_EINVAL)
    with _Borrowed(log) as lg, _Ctx() as ctx:
        arr, _enc = _cstrs(lg.files)
        buf = L.Buf()
        try:
            st = L.ab_log_write_stats_json(ctypes.byref(buf), ctx, lg.ptr, arr, len(lg.files),
                                           _LIFECYCLE[lg.lifecycle], min(top, 0xFFFFFFFF))
            if st != AB_OK:
                raise InternalError("out of memory", st)
            return json.loads(buf.bytes())
        finally:
            L.ab_buf_dispose(ctypes.byref(buf))


# ---- The Work Reality Gap ---------------------------------------------------------------------

_GATES = {"M1": "case_deviation_rate", "M2": "off_model_event_rate", "M3": "missing_step_rate",
          "M7": "undocumented_rework_rate", "M7b": "documented_rework_rate",
          "M8": "out_of_order_rate", "M9": "max_bypass_rate", "M9c": "max_control_bypass_rate",
          "M9cp": "control_bypass_rate", "M10": "early_exit_rate",
          "ROLE": "role_violation_rate", "ROLEc": "control_outside_lane_rate",
          "SOD": "sod_violation_rate", "HANDOFF": "undocumented_handoff_rate"}


_CASE_LINES_PIECE = 65536


class GapReport(dict, _Owner):
    """The asbuilt.gap/1 report as a dict (the JSON `asbuilt diff --json` writes), holding
    the computed gap for the other outputs until closed."""

    def __init__(self, report, handles, keep):
        dict.__init__(self, report)
        self._gap = handles[0][1]
        self._model = keep["model"]
        self._keep = keep
        self._own(handles)

    __hash__ = None

    def __reduce__(self):
        # Pickled and copied as the plain dict: the library handles stay here.
        return (dict, (dict(self),))

    def __repr__(self):
        return f"<asbuilt.GapReport: {self.headline}>"

    @property
    def headline(self):
        """The headline sentence: the share of cases that did not follow the map."""
        s = self.get("statements") or [""]
        return s[0]

    def _write(self, fn):
        self._check()
        return _buf_text(fn, self._gap)

    def text(self):
        """The few lines `asbuilt diff` prints on a terminal."""
        return self._write(L.ab_gap_write_text)

    def markdown(self, path=None):
        """The Markdown report; written to path (atomically) when given."""
        md = self._write(L.ab_gap_write_markdown)
        if path is not None:
            _write_file(path, md.encode("utf-8"))
        return md

    def case_records(self):
        """One dict per case, in case order, as `asbuilt diff --cases` writes them. The
        lines are made and read 65,536 cases at a time: their text is never held whole."""
        self._check()
        out = []
        n = self["summary"]["cases"]
        for first in range(0, n, _CASE_LINES_PIECE):
            text = _buf_text(lambda gap, buf, err: L.ab_gap_write_cases_range(
                gap, buf, first, _CASE_LINES_PIECE, err), self._gap)
            out.extend(json.loads(line) for line in text.splitlines() if line)
        return out

    def cases(self):
        """A DataFrame with one row per case: case id (column case:concept:name, as in
        PM4Py), deviating, deviations (the case's deviations as dicts), and variant,
        possibly_open, counted_in_m1."""
        import pandas as pd

        recs = self.case_records()
        cols = ["case:concept:name", "deviating", "deviations", "variant", "possibly_open",
                "counted_in_m1"]
        rows = [(r["case"], r["deviating"], r["deviations"], r["variant"], r["possibly_open"],
                 r.get("counted_in_m1", r["deviating"])) for r in recs]
        return pd.DataFrame(rows, columns=cols)

    def html(self, path=None):
        """The HTML report (one offline page, with the map); written to path (atomically)
        when given. Returns the page."""
        self._check()
        with _Ctx() as ctx:
            buf = L.Buf()
            err = L.Error()
            try:
                st = L.ab_report_gap_html(ctypes.byref(buf), ctx, self._gap, self._model, None,
                                          ctypes.byref(err))
                if st != AB_OK:
                    _raise(st, err)
                page = buf.bytes()
            finally:
                L.ab_buf_dispose(ctypes.byref(buf))
        if path is not None:
            _write_file(path, page)
        return page.decode("utf-8")


def _write_file(path, data):
    err = L.Error()
    st = L.ab_write_file_atomic(os.fsencode(path), data, len(data), ctypes.byref(err))
    if st != AB_OK:
        _raise(st, err)


def diff(log, model, map=None, accept=None, *, open_cases="closed", controls=None,
         threads=None, max_states=None, model_states=None, process=None,
         check_ambiguity=True, strict_mapping=False, fail_above=None, roles=None,
         role_map=None, sod=None, system_resources=None):
    """The Work Reality Gap of a log against a documented BPMN map, as `asbuilt diff`
    computes it: returns a GapReport, the asbuilt.gap/1 report as a dict.

    `model` is the map's path, or a list whose first entry is the map and the others maps of
    the processes its call activities call. `map` is the task,activity CSV, `accept` the
    accepted deviations; the keywords are the command line's options (--open-cases,
    --controls, --threads, --max-states, --model-states, --process,
    --no-ambiguity-check, --strict-mapping, --fail-above as a dict such as {"M1": 0.25}),
    and who did the work: `roles` (resource,role CSV), `role_map` (lane,role CSV), `sod`
    (pairs one person must not both do) and `system_resources` (names or globs, a string or
    a list) as --roles, --role-map, --sod and --system-resources.
    The report does not depend on `threads` (default: one per core)."""
    models = [model] if isinstance(model, (str, bytes, os.PathLike)) else list(model)
    if not models:
        raise UsageError("no documented map given", AB_EINVAL)
    models = [os.fsdecode(m) for m in models]
    if open_cases not in ("closed", "exclude"):
        raise UsageError(f"open_cases takes 'closed' or 'exclude', not {open_cases!r}",
                         AB_EINVAL)
    gates = {}
    for k, v in (fail_above or {}).items():
        key = next((g for g in _GATES if g.lower() == str(k).lower()), None)
        if key is None or not (isinstance(v, (int, float)) and 0 <= v <= 1):
            raise UsageError(f"fail_above: {k}={v!r} (rates {' '.join(_GATES)}, thresholds "
                             f"from 0 to 1)", AB_EINVAL)
        gates[key] = float(v)
    if threads is None:
        threads = os.cpu_count() or 1
    with _Borrowed(log) as lg:
        report = _diff(lg, models, map, accept, open_cases, controls, int(threads), max_states,
                       model_states, process, check_ambiguity, strict_mapping,
                       (roles, role_map, sod, system_resources))
    for key, threshold in gates.items():
        r = report["summary"][_GATES[key]]
        if r and r.get("of") and r.get("rate") is not None and r["rate"] > threshold:
            raise GateExceeded(f"gate exceeded: {key} = {r['rate']:.3f} ({r['count']} of "
                               f"{r['of']}) > {threshold:g}", report)
    return report


def _diff(lg, models, map_file, accept, open_cases, controls, threads, max_states,
          model_states, process, check_ambiguity, strict_mapping, who):
    ctx = _new_ctx()
    handles = []  # (destroy, ptr), most dependent first; the context last.

    def hold(destroy, p):
        handles.insert(0, (destroy, p))
        return p

    handles.append((L.ab_ctx_destroy, ctx))
    err = L.Error()
    keep = {"log": lg}
    lg._acquire()  # The gap points into the log: it stays until the report is closed.
    handles.append((Log._release, lg))
    try:
        mods = []
        for i, m in enumerate(models):
            p = ctypes.c_void_p()
            st = L.ab_bpmn_read(ctypes.byref(p), ctx, os.fsencode(m), None, ctypes.byref(err))
            if st != AB_OK:
                _raise(st, err)
            mods.append(hold(L.ab_bpmn_destroy, p))
        keep["model"] = mods[0]
        libs = (ctypes.c_void_p * (len(mods)))(*mods[1:], None)
        no = L.NetOptions(1, libs, len(mods) - 1, os.fsencode(process) if process else None,
                          0, 6, 20000, 64)
        net = ctypes.c_void_p()
        st = L.ab_net_compile(ctypes.byref(net), ctx, mods[0], ctypes.byref(no),
                              ctypes.byref(err))
        if st != AB_OK:
            _raise(st, err)
        hold(L.ab_net_destroy, net)
        p = lg.ptr
        acts = [L.ab_log_activity_name(p, a) for a in range(L.ab_log_activity_count(p))]
        act_arr = (ctypes.c_char_p * (len(acts) + 1))(*acts, None)
        mo = L.BpmnMapOptions(1, os.fsencode(map_file) if map_file else None, 1, 0.5, 3)
        mapping = ctypes.c_void_p()
        st = L.ab_bpmn_map_create(ctypes.byref(mapping), ctx, L.ab_net_labels(net),
                                  L.ab_net_label_count(net), act_arr, len(acts),
                                  ctypes.byref(mo), ctypes.byref(err))
        if st != AB_OK:
            _raise(st, err)
        hold(L.ab_bpmn_map_destroy, mapping)
        rel = ctypes.c_void_p()
        st = L.ab_net_relabel(ctypes.byref(rel), net, mapping, ctypes.byref(err))
        if st != AB_OK:
            _raise(st, err)
        hold(L.ab_net_destroy, rel)
        warnings_ = [L.ab_bpmn_map_warning(mapping, i).decode("utf-8")
                     for i in range(L.ab_bpmn_map_warning_count(mapping))]
        co = L.ConformOptions(2, threads, max_states or 0, 0, 1 if check_ambiguity else 0)
        conf = ctypes.c_void_p()
        st = L.ab_conform_run(ctypes.byref(conf), ctx, p, rel, ctypes.byref(co),
                              ctypes.byref(err))
        if st == AB_EINVAL:
            # As the command line: a map without a complete run is bad data.
            msg = err.msg.decode("utf-8", "replace") or "the map has no complete run"
            raise DataError(f"{models[0]}: {msg}", st, models[0])
        if st != AB_OK:
            _raise(st, err)
        hold(L.ab_conform_destroy, conf)
        log_arr, _e1 = _cstrs(lg.files)
        lib_arr, _e2 = _cstrs(models[1:])
        roles, role_map, sod, system = who
        if system is not None and not isinstance(system, (str, bytes)):
            system = ",".join(system)
        wo = L.WhoOptions(1, os.fsencode(roles) if roles else None, None,
                          os.fsencode(role_map) if role_map else None,
                          os.fsencode(sod) if sod else None,
                          os.fsencode(system) if system else None)
        go = L.GapOptions()
        go.version = 3
        go.who = ctypes.pointer(wo)
        go.open_cases = 0 if open_cases == "closed" else 1
        go.controls = controls.encode() if controls is not None else None
        go.max_states = model_states or 0
        go.seed = 0  # Ignored: the time-impact intervals need no random numbers.
        go.threads = threads
        go.accept_file = os.fsencode(accept) if accept else None
        go.log_files = log_arr
        go.log_file_count = len(lg.files)
        go.model_file = os.fsencode(models[0])
        go.library_files = lib_arr
        go.library_file_count = len(models) - 1
        go.map_file = os.fsencode(map_file) if map_file else None
        go.model = mods[0]
        go.mapping = mapping
        go.conform_max_states = max_states if max_states else 2000000
        gap = ctypes.c_void_p()
        st = L.ab_gap_compute(ctypes.byref(gap), ctx, p, rel, conf, ctypes.byref(go),
                              ctypes.byref(err))
        if st != AB_OK:
            if st == AB_EINVAL:
                raise InternalError(err.msg.decode("utf-8", "replace"), st)
            _raise(st, err)
        hold(L.ab_gap_destroy, gap)
        report = json.loads(_buf_text(L.ab_gap_write_json, gap))
    except BaseException:
        _destroy(handles)
        raise
    warning = report.get("summary", {}).get("mapping_coverage", {}).get("warning")
    if warning and strict_mapping:
        _destroy(handles)
        raise DataError(f"{warning} (strict_mapping: no report)", -3)
    import warnings as _w
    for w in warnings_ + ([warning] if warning else []):
        _w.warn(w, stacklevel=3)
    return GapReport(report, handles, keep)
