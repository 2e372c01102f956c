"""from_dataframe's columns: object columns coded by object identity, categoricals, integer and
string dtypes; discover_dfg counted straight from the columns equals the graph of the built
log and PM4Py's way of counting (sort by case, time and row; equal times keep the frame's
order), whatever the row order, missing values and mixed types; the log is built only when
needed, once, and later changes to the frame do not reach it."""
import threading

import numpy as np
import pandas as pd
import pytest

import asbuilt

CASE, ACT, TS = "case:concept:name", "concept:name", "time:timestamp"


def pm4py_dfg(df):
    """PM4Py's DataFrame path: rows sorted by case, time and position; consecutive rows of a
    case give the pairs; first and last rows the start and end activities."""
    d = df[[CASE, ACT, TS]].copy()
    d["@@index"] = range(len(d))
    d = d.sort_values([CASE, TS, "@@index"], kind="mergesort")
    nxt = d.shift(-1)
    same = d[CASE] == nxt[CASE]
    pairs = pd.DataFrame({"a": d[ACT][same], "b": nxt[ACT][same]})
    dfg = {k: int(v) for k, v in pairs.groupby(["a", "b"]).size().to_dict().items()}
    g = d.groupby(CASE, sort=False)[ACT]
    start = {k: int(v) for k, v in g.first().value_counts().to_dict().items()}
    end = {k: int(v) for k, v in g.last().value_counts().to_dict().items()}
    return dfg, start, end


def random_frame(n=3000, cases=120, acts=7, seed=1, ties=False):
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    secs = rng.integers(0, 4 if ties else 10**6, n)
    return pd.DataFrame({
        # Fresh string objects per row: equal values, different objects.
        CASE: np.array(["c" + str(int(c)) for c in rng.integers(0, cases, n)], dtype=object),
        ACT: np.array(["act " + str(int(a)) for a in rng.integers(0, acts, n)], dtype=object),
        TS: t0 + pd.to_timedelta(secs, unit="s"),
    })


def built_dfg(log):
    """The graph of the built log (ab_dfg_discover), not the column count."""
    return asbuilt._log_dfg(log)


def check_both_ways(df, **kw):
    with asbuilt.from_dataframe(df, **kw) as log:
        fast = asbuilt.discover_dfg(log)
        assert log._ptr is None, "discover_dfg built the log"
        slow = built_dfg(log)
        assert log._ptr is not None
        assert fast == slow
        # The same dict order too: edges by count, cases, then names.
        assert [list(d.items()) for d in fast] == [list(d.items()) for d in slow]
        # Once built, the column count still answers, alike.
        assert asbuilt.discover_dfg(log) == fast
    return fast


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_unsorted_rows_equal_pm4py_and_the_built_log(seed, ties):
    df = random_frame(seed=seed, ties=ties)
    assert check_both_ways(df) == pm4py_dfg(df)


def test_grouped_and_shuffled_rows_agree():
    df = random_frame(seed=4)
    grouped = df.sort_values([CASE, TS], kind="mergesort").reset_index(drop=True)
    shuffled = df.sample(frac=1, random_state=5).reset_index(drop=True)
    want = pm4py_dfg(grouped)
    assert check_both_ways(grouped) == want
    assert check_both_ways(shuffled) == pm4py_dfg(shuffled)


def test_equal_times_keep_the_frame_order():
    t = pd.Timestamp("2024-01-01", tz="UTC")
    df = pd.DataFrame({CASE: ["1", "2", "1", "1", "2", "2"],
                       ACT: ["b", "x", "a", "c", "z", "y"],
                       TS: [t, t, t, t + pd.Timedelta("1s"), t, t]})
    dfg, start, end = check_both_ways(df)
    assert dfg == {("b", "a"): 1, ("a", "c"): 1, ("x", "z"): 1, ("z", "y"): 1}
    assert start == {"b": 1, "x": 1} and end == {"c": 1, "y": 1}
    assert (dfg, start, end) == pm4py_dfg(df)
    # Reversed rows: the ties reverse with them.
    rev = df.iloc[::-1].reset_index(drop=True)
    assert check_both_ways(rev) == pm4py_dfg(rev)
    assert check_both_ways(rev)[0] != dfg


def test_categorical_columns():
    df = random_frame(seed=6)
    cat = df.copy()
    for c in (CASE, ACT):
        cat[c] = cat[c].astype("category")
    assert check_both_ways(cat) == pm4py_dfg(df)
    # Unused categories and categories in another order change nothing.
    cat[ACT] = cat[ACT].cat.add_categories(["never"])
    cat[ACT] = cat[ACT].cat.reorder_categories(list(reversed(cat[ACT].cat.categories)))
    assert check_both_ways(cat) == pm4py_dfg(df)


def test_missing_values_in_object_columns():
    df = random_frame(seed=7)
    df.loc[3, CASE] = None
    df.loc[4, CASE] = float("nan")
    df.loc[5, ACT] = pd.NA
    df.loc[6, ACT] = ""
    df.loc[7, TS] = pd.NaT
    fast = check_both_ways(df)
    clean = df.drop(index=[3, 4, 5, 6, 7])
    assert fast == pm4py_dfg(clean)
    with asbuilt.from_dataframe(df) as log:
        dq = asbuilt.stats(log)["data_quality"]["dropped"]
    assert dq["missing_case_id"]["first_lines"] == [4, 5]
    assert dq["missing_activity"]["first_lines"] == [6, 7]
    assert dq["missing_timestamp"]["first_lines"] == [8]


def test_mixed_types_are_named_as_strings():
    t = pd.Timestamp("2024-01-01", tz="UTC")
    s = pd.Timedelta("1s")
    df = pd.DataFrame({CASE: pd.Series([1, "1", 1.5, "1.5", 2], dtype=object),
                       ACT: pd.Series(["a", 7, "7", True, "a"], dtype=object),
                       TS: [t, t + s, t + 2 * s, t + 3 * s, t]})
    dfg, start, end = check_both_ways(df)
    # 1 and "1" are one case, 1.5 and "1.5" another: names are what str() gives.
    assert dfg == {("a", "7"): 1, ("7", "True"): 1}
    assert start == {"a": 2, "7": 1} and end == {"7": 1, "True": 1, "a": 1}
    with asbuilt.from_dataframe(df) as log:
        assert log.cases == 3 and log.events == 5


def test_integer_and_string_dtypes():
    df = random_frame(seed=8)
    want = pm4py_dfg(df)
    ints = df.copy()
    ints[CASE] = ints[CASE].str[1:].astype(np.int64)
    assert check_both_ways(ints)[0] == want[0]
    s = df.copy()
    s[CASE] = s[CASE].astype("string")
    s[ACT] = s[ACT].astype("string")
    s.loc[0, CASE] = pd.NA
    assert check_both_ways(s) == pm4py_dfg(df.drop(index=[0]))


def test_distinct_objects_are_coded_by_value(monkeypatch):
    # One object per cell (as an XML reader makes them): the library hashes the strings.
    # Objects shared by equal cells: coded by identity. Mostly distinct objects taken for
    # shared: the count stops early and the strings are hashed. All alike.
    df = random_frame(seed=9)
    shared = df.copy()
    for c in (CASE, ACT):
        shared[c] = shared[c].astype("category").astype(object)
    assert not asbuilt._shares_objects(df[ACT].to_numpy())
    assert asbuilt._shares_objects(shared[ACT].to_numpy())
    assert asbuilt._shares_objects(shared[CASE].to_numpy())
    want = pm4py_dfg(df)
    assert check_both_ways(df) == want
    assert check_both_ways(shared) == want
    calls = []
    real = asbuilt._factorize_keys
    monkeypatch.setattr(asbuilt, "_factorize_keys",
                        lambda *a: calls.append(real(*a) is None) or real(*a))
    monkeypatch.setattr(asbuilt, "_shares_objects", lambda values: True)
    assert check_both_ways(df) == want
    assert calls == [False, False]
    monkeypatch.setattr(asbuilt, "_SAMPLE", 8)
    calls.clear()
    assert check_both_ways(df) == want
    assert calls == [True, True]  # Both stopped early: 3,000 objects, at most 750 taken.


def test_shared_objects_are_named_once():
    df = random_frame(seed=10)
    codes, names = asbuilt._codes(df[ACT])  # One object per cell: the strings' values.
    assert sorted(names) == sorted(set(df[ACT]))
    assert [names[c] for c in codes] == list(df[ACT])
    shared = df[ACT].astype("category").astype(object)
    codes, names = asbuilt._codes(shared)  # Shared: one name per object, so per value.
    assert sorted(names) == sorted(set(df[ACT]))
    assert [names[c] for c in codes] == list(df[ACT])
    # Equal values in different objects: named twice, merged by the library.
    ab = "ab"
    other = (ab + ".")[:-1]
    assert other is not ab
    two = pd.Series(np.array([ab, other, "cd", ab], dtype=object))
    codes, names = asbuilt._codes(two)
    assert names == ["ab", "ab", "cd"] and list(codes) == [0, 1, 2, 0]
    with asbuilt.from_dataframe(pd.DataFrame({CASE: two, ACT: two, TS: pd.NaT})) as log:
        assert log.cases == 2 and asbuilt.get_variants(log) == {("ab",) * 3: 1, ("cd",): 1}


def old_codes(series, monkeypatch):
    """_codes as it numbers a column without the library's string hashing (pandas)."""
    with monkeypatch.context() as m:
        m.setattr(asbuilt, "_factorize_names", lambda values: None)
        return asbuilt._codes(series)


def fresh(values):
    """An object array with a new str object in each str cell."""
    return np.array([(v + ".")[:-1] if type(v) is str else v for v in values], dtype=object)


def test_strings_per_cell_are_numbered_as_pandas_numbers_them():
    rng = np.random.default_rng(21)
    pools = [["act " + str(i) for i in range(40)],
             ["Prüfung", "申請", "é", "e\u0301", "😀 emoji", "", " ", "x" * 300],
             ["a\0b", "a", "a\0", "\0", "ab", "b"]]
    for pool in pools:
        values = fresh([pool[i] for i in rng.integers(0, len(pool), 5000)])
        got = asbuilt._factorize_names(values)
        first = {}
        want_codes = [first.setdefault(v, len(first)) for v in values]  # By value.
        assert got[0].tolist() == want_codes and got[0].dtype == np.int32
        assert values[got[1]].tolist() == list(first)
        # The numbering it replaces: pandas', but for names with a NUL, which pandas (1.5)
        # compares only up to the NUL in a column of strings only ("a\0b" is "a" to it).
        codes_pd, uniques = pd.factorize(values, sort=False)
        assert (codes_pd.tolist() == want_codes) == all("\0" not in v for v in pool)
        codes, names = asbuilt._codes(pd.Series(values))
        assert [names[c] for c in codes] == list(values)
        col, (_, offsets, blob), names2 = asbuilt._dict_column(pd.Series(values))
        assert names2 == names
        assert [blob[offsets[k]:offsets[k + 1]].decode() for k in range(col.count)] == names
    assert asbuilt._factorize_names(np.array([], dtype=object)) is not None


@pytest.mark.parametrize("odd", [None, np.nan, float("nan"), pd.NA, pd.NaT, 7, 2.5, b"bytes",
                                 "\ud800"])
@pytest.mark.parametrize("where", [0, 1, 2999, "every 7th"])
def test_cells_not_str_fall_back_to_the_old_numbering(odd, where, monkeypatch):
    rng = np.random.default_rng(22)
    values = fresh(["act " + str(i) for i in rng.integers(0, 9, 3000)])
    if where == "every 7th":
        values[::7] = odd
    else:
        values[where] = odd
    assert asbuilt._factorize_names(values) is None
    got = asbuilt._codes(pd.Series(values))
    want = old_codes(pd.Series(values), monkeypatch)
    assert got[1] == want[1] and np.array_equal(got[0], want[0])
    # The getter's error is not left behind: the next call numbers a clean column.
    assert asbuilt._factorize_names(fresh(["a", "b", "a"]))[0].tolist() == [0, 1, 0]


def test_missing_values_per_cell_give_the_old_graph(monkeypatch):
    df = random_frame(seed=23)
    df.loc[5, ACT] = None
    df.loc[17, ACT] = np.nan
    df.loc[40, CASE] = None
    want = check_both_ways(df)
    monkeypatch.setattr(asbuilt, "_factorize_names", lambda values: None)
    assert check_both_ways(df) == want


def test_other_pythons_number_strings_as_before(monkeypatch):
    df = random_frame(seed=24)
    want = check_both_ways(df)
    codes, names = asbuilt._codes(df[ACT])
    monkeypatch.setattr(asbuilt.L, "ab_names_factorize_gil", None)
    assert asbuilt._factorize_names(df[ACT].to_numpy()) is None
    assert check_both_ways(df) == want
    codes2, names2 = asbuilt._codes(df[ACT])
    assert names2 == names and np.array_equal(codes2, codes)


def test_resource_and_lifecycle_are_read_when_the_log_is_built():
    df = random_frame(seed=15)
    df["org:resource"] = np.array(["r" + str(i % 5) for i in range(len(df))], dtype=object)
    df["lifecycle:transition"] = "complete"
    with asbuilt.from_dataframe(df, resource_key="org:resource") as log:
        asbuilt.discover_dfg(log)
        assert len(log._columns.deferred) == 2 and log._ptr is None
        back = log.to_dataframe()
        assert not log._columns.deferred
        assert set(back["org:resource"]) == {"r0", "r1", "r2", "r3", "r4"}
        assert set(back["lifecycle:transition"]) == {"complete"}
    with asbuilt.from_dataframe(df, lifecycle="complete") as log:
        assert not log._columns.deferred  # The count needs it now.


def test_later_changes_to_the_frame_do_not_reach_the_log():
    df = random_frame(seed=11)
    want = pm4py_dfg(df)
    cat = df.copy()
    cat[ACT] = cat[ACT].astype("category")
    # Enough categories for int32 codes, which the binding could otherwise hand over as they are.
    cat[ACT] = cat[ACT].cat.add_categories([f"unused {i}" for i in range(40000)])
    assert cat[ACT].array.codes.dtype == np.int32
    stats = asbuilt.stats(df)
    with asbuilt.from_dataframe(df) as log, asbuilt.from_dataframe(cat) as clog:
        acts = df[ACT].to_numpy()
        acts[:] = "changed"  # Writes into the frame's own arrays.
        df[TS].array._ndarray[:] = np.datetime64("2000-01-01")
        cat[ACT].array._ndarray[:] = 0
        assert (df[ACT] == "changed").all() and (cat[ACT] == cat[ACT].iloc[0]).all()
        assert asbuilt.discover_dfg(log) == want
        assert asbuilt.discover_dfg(clog) == want
        assert asbuilt.stats(log) == stats


def test_the_log_is_built_once_when_needed():
    df = random_frame(seed=12)
    base = asbuilt._live_handles()
    log = asbuilt.from_dataframe(df)
    assert log._ptr is None and asbuilt._live_handles() == base + 1  # The context only.
    asbuilt.discover_dfg(log)
    assert len(log) == df[CASE].nunique() and log.events == len(df)
    assert log._ptr is None
    ptrs = []
    threads = [threading.Thread(target=lambda: ptrs.append(log.ptr.value)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(ptrs)) == 1 and asbuilt._live_handles() == base + 2
    log.close()
    assert asbuilt._live_handles() == base
    with pytest.raises(asbuilt.UsageError):
        asbuilt.discover_dfg(log)
    with pytest.raises(asbuilt.UsageError):
        log.cases


def test_strict_builds_now():
    df = random_frame(seed=13)
    df.loc[10, CASE] = None
    base = asbuilt._live_handles()
    with pytest.raises(asbuilt.DataError, match="row|missing case id"):
        asbuilt.from_dataframe(df, strict=True)
    assert asbuilt._live_handles() == base
    with asbuilt.from_dataframe(df) as log:  # Not strict: the row is dropped.
        assert log.events == len(df) - 1


def test_lifecycle_filter_in_the_column_count():
    df = random_frame(seed=14)
    df["lifecycle:transition"] = np.where(np.arange(len(df)) % 3 == 0, "start", "complete")
    dfg = check_both_ways(df, lifecycle="complete")
    assert dfg == pm4py_dfg(df[df["lifecycle:transition"] == "complete"])


def test_names_beyond_ascii_and_with_nul():
    t = pd.Timestamp("2024-01-01", tz="UTC")
    s = pd.Timedelta("1s")
    for acts in (["Prüfung", "申請", "ab", "é"], ["Prüfung", "申請", "a\0b", "é"]):
        df = pd.DataFrame({CASE: ["1", "1", "1", "2"], ACT: acts,
                           TS: [t, t + s, t + 2 * s, t]})
        col, (_, offsets, blob), names = asbuilt._dict_column(df[ACT])
        assert col.names_len == len(blob) and col.count == 4
        assert [blob[offsets[k]:offsets[k + 1]].decode() for k in range(4)] == acts
        want = ({(acts[0], acts[1]): 1, (acts[1], acts[2]): 1}, {acts[0]: 1, acts[3]: 1},
                {acts[2]: 1, acts[3]: 1})
        assert pm4py_dfg(df) == want
        if "\0" in acts[2]:
            # The log's names are C strings: only the column count keeps a NUL.
            assert asbuilt.discover_dfg(df) == want
            continue
        assert check_both_ways(df) == want
        with asbuilt.from_dataframe(df) as log:
            assert list(log.to_dataframe()[ACT]) == acts


def test_a_failed_build_can_be_tried_again(monkeypatch):
    df = random_frame(seed=16)
    df["org:resource"] = "someone"
    log = asbuilt.from_dataframe(df, resource_key="org:resource")
    real = asbuilt.L.ab_log_from_columns
    monkeypatch.setattr(asbuilt.L, "ab_log_from_columns", lambda *a: -2)  # AB_ENOMEM
    with pytest.raises(asbuilt.AsbuiltError):
        log.ptr
    monkeypatch.setattr(asbuilt.L, "ab_log_from_columns", real)
    with log:
        assert asbuilt.discover_dfg(log) == built_dfg(log)
        assert set(log.to_dataframe()["org:resource"]) == {"someone"}


def test_empty_frame_and_frame_without_times():
    empty = pd.DataFrame({CASE: pd.Series([], dtype=object), ACT: pd.Series([], dtype=object),
                          TS: pd.Series([], dtype="datetime64[ns, UTC]")})
    with asbuilt.from_dataframe(empty) as log:
        assert asbuilt.discover_dfg(log) == ({}, {}, {})
        assert log.cases == 0 and log.events == 0 and asbuilt.stats(log)["events"] == 0
    df = pd.DataFrame({CASE: ["a", "b", "a", "a"], ACT: ["x", "x", "z", "y"]})
    # Without times the rows keep the frame's order within each case.
    assert check_both_ways(df, timestamp_key=None) == (
        {("x", "z"): 1, ("z", "y"): 1}, {"x": 2}, {"x": 1, "y": 1})
