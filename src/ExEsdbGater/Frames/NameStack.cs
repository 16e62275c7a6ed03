
namespace ExEsdbGater.Frames;

/// <summary>
/// Member names of the objects open while reading a body, to find duplicates at any depth.
/// Small objects are scanned linearly (no allocation); an object with many members switches to a hash set,
/// so a hostile body cannot make the check quadratic.
/// </summary>
internal struct NameStack : IDisposable
{
    private const int LinearLimit = 32;

    private Entry[]? _entries;
    private int _count;
    private int[]? _frames;
    private int _depth;
    private int _nextObjectId;
    private Dictionary<(int Obj, ulong Hash), int>? _big;

    private struct Entry
    {
        public ulong Hash;
        public int Start;
        public int Length;
        public bool Escaped;
        public int Obj;
    }

    // One set of arrays per thread, reused by every body that thread reads: renting three arrays from the shared
    // pool and returning them cost more than the duplicate check of a typical body.
    [ThreadStatic]
    private static Entry[]? t_entries;

    [ThreadStatic]
    private static int[]? t_frames;

    [ThreadStatic]
    private static int[]? t_objIds;

    private const int KeptLength = 4096;

    private static T[] Take<T>(ref T[]? cache, int min)
    {
        var a = cache;
        if (a is not null && a.Length >= min)
        {
            cache = null;
            return a;
        }
        return new T[Math.Max(min, 80)];
    }

    private static void Keep<T>(ref T[]? cache, T[]? a)
    {
        if (a is not null && a.Length <= KeptLength)
        {
            cache = a;
        }
    }

    public void Push()
    {
        _frames ??= Take(ref t_frames, 80);
        if (_depth == _frames.Length)
        {
            Grow(ref _frames);
        }
        // frame holds the first entry index of the object; object id packed separately in entries
        _frames[_depth++] = _count;
        _nextObjectId++;
        _currentObj = _nextObjectId;
        if (_objIds is null || _objIds.Length <= _depth)
        {
            var n = _objIds is null ? Take(ref t_objIds, 80) : new int[_depth * 2];
            _objIds?.AsSpan().CopyTo(n);
            _objIds = n;
        }
        _objIds[_depth - 1] = _currentObj;
    }

    private int[]? _objIds;
    private int _currentObj;

    public void Pop()
    {
        if (_depth == 0)
        {
            return;
        }
        _count = _frames![--_depth];
        _currentObj = _depth > 0 ? _objIds![_depth - 1] : 0;
    }

    /// <summary>Adds the name whose raw (still escaped) text is body[start..start+len]; false if the object has it.</summary>
    public bool Add(ReadOnlySpan<byte> body, int start, int len, bool escaped)
    {
        var hash = escaped ? HashUnescaped(body.Slice(start, len)) : Hash(body.Slice(start, len));
        var first = _frames![_depth - 1];
        var members = _count - first;
        if (members < LinearLimit)
        {
            for (var i = first; i < _count; i++)
            {
                ref var e = ref _entries![i];
                if (e.Hash == hash && SameName(body, e, start, len, escaped))
                {
                    return false;
                }
            }
        }
        else
        {
            _big ??= new Dictionary<(int, ulong), int>();
            if (members == LinearLimit)
            {
                for (var i = first; i < _count; i++)
                {
                    _big.TryAdd((_currentObj, _entries![i].Hash), i);
                }
            }
            if (_big.TryGetValue((_currentObj, hash), out var prev))
            {
                if (SameName(body, _entries![prev], start, len, escaped))
                {
                    return false;
                }
                // a different name with the same hash: fall back to a scan of this object
                for (var i = first; i < _count; i++)
                {
                    if (_entries[i].Hash == hash && SameName(body, _entries[i], start, len, escaped))
                    {
                        return false;
                    }
                }
            }
            else
            {
                _big[(_currentObj, hash)] = _count;
            }
        }
        _entries ??= Take(ref t_entries, 64);
        if (_count == _entries.Length)
        {
            Grow(ref _entries);
        }
        _entries[_count++] = new Entry { Hash = hash, Start = start, Length = len, Escaped = escaped, Obj = _currentObj };
        return true;
    }

    public void Dispose()
    {
        Keep(ref t_entries, _entries);
        Keep(ref t_frames, _frames);
        Keep(ref t_objIds, _objIds);
        this = default;
    }

    private static bool SameName(ReadOnlySpan<byte> body, in Entry e, int start, int len, bool escaped)
    {
        if (!e.Escaped && !escaped)
        {
            return body.Slice(e.Start, e.Length).SequenceEqual(body.Slice(start, len));
        }
        return BodyReader.Unescape(body.Slice(e.Start, e.Length)) == BodyReader.Unescape(body.Slice(start, len));
    }

    private static ulong HashUnescaped(ReadOnlySpan<byte> raw) => Hash(System.Text.Encoding.UTF8.GetBytes(BodyReader.Unescape(raw)));

    // FNV-1a from a random start; collisions only cost an exact comparison.
    private static ulong Hash(ReadOnlySpan<byte> s)
    {
        var h = 14695981039346656037UL ^ HashSeed.Value;
        foreach (var b in s)
        {
            h = (h ^ b) * 1099511628211UL;
        }
        return h;
    }

    private static void Grow<T>(ref T[] array)
    {
        var n = new T[array.Length * 2];
        array.AsSpan().CopyTo(n);
        array = n;
    }
}
