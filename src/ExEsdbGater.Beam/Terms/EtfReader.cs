using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO.Compression;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace ExEsdbGater.Beam.Terms;

/// <summary>
/// Decodes the external term format (erl_ext_dist) strictly and within <see cref="TermLimits"/>. Bad input of any kind
/// gives an <see cref="EtfFormatException"/> (or false from the Try methods) naming the problem and its offset; no
/// other exception escapes, declared lengths are checked against the bytes left before allocating, and nesting is
/// bounded so a hostile term cannot overflow the stack.
/// </summary>
/// <remarks>
/// A term may start with the version byte 131 or directly with its tag. Byte payloads are copied, so the input buffer
/// may be reused as soon as a call returns. Map pairs keep the order they were received in.
/// </remarks>
internal static class EtfReader
{
    /// <summary>The version byte that starts term_to_binary's output and each term of a distribution message.</summary>
    public const byte VersionByte = 131;

    /// <summary>Decodes the one term that fills <paramref name="data"/> (with or without the version byte).</summary>
    /// <exception cref="EtfFormatException">Not exactly one well-formed term within the limits.</exception>
    public static Term Decode(ReadOnlySpan<byte> data, TermLimits? limits = null)
    {
        var offset = 0;
        var term = Read(data, ref offset, limits);
        if (offset != data.Length)
        {
            throw new EtfFormatException($"{data.Length - offset} bytes follow the term", offset);
        }
        return term;
    }

    /// <summary>As <see cref="Decode"/>, reporting a malformed term as false and the error's message.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out Term? term, [NotNullWhen(false)] out string? error, TermLimits? limits = null)
    {
        try
        {
            term = Decode(data, limits);
            error = null;
            return true;
        }
        catch (EtfFormatException e)
        {
            term = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>
    /// Reads one term (with or without its version byte) starting at <paramref name="offset"/> and moves
    /// <paramref name="offset"/> past it: for buffers holding several terms, such as a distribution message
    /// (<c>112</c>, control term, payload term). A compressed term extends to the end of the buffer.
    /// </summary>
    /// <exception cref="EtfFormatException">No well-formed term within the limits at that offset.</exception>
    public static Term Read(ReadOnlySpan<byte> buffer, ref int offset, TermLimits? limits = null)
    {
        limits ??= TermLimits.Default;
        if ((uint)offset > (uint)buffer.Length)
        {
            throw new EtfFormatException("offset outside the buffer", offset);
        }
        var decoder = new Decoder(buffer, offset, limits, depth: 0);
        try
        {
            var term = decoder.ReadTopLevel();
            offset = decoder.Position;
            return term;
        }
        catch (Exception e) when (e is ArgumentException or OverflowException or FormatException or InvalidDataException or DecoderFallbackException)
        {
            // The checks above should leave nothing to these; still, a malformed term must be a format error.
            throw new EtfFormatException($"malformed term: {e.Message}", e);
        }
    }

    /// <summary>Decodes all the terms that fill <paramref name="buffer"/>, one after another.</summary>
    /// <exception cref="EtfFormatException">Any of them is malformed, or bytes are left that are not a term.</exception>
    public static IReadOnlyList<Term> DecodeSequence(ReadOnlySpan<byte> buffer, TermLimits? limits = null)
    {
        var terms = new List<Term>();
        var offset = 0;
        while (offset < buffer.Length)
        {
            terms.Add(Read(buffer, ref offset, limits));
        }
        return terms;
    }

    /// <summary>The tag's name in erl_ext_dist, for messages.</summary>
    internal static string TagName(byte tag) => tag switch
    {
        70 => "NEW_FLOAT_EXT",
        77 => "BIT_BINARY_EXT",
        80 => "COMPRESSED",
        82 => "ATOM_CACHE_REF",
        88 => "NEW_PID_EXT",
        89 => "NEW_PORT_EXT",
        90 => "NEWER_REFERENCE_EXT",
        97 => "SMALL_INTEGER_EXT",
        98 => "INTEGER_EXT",
        99 => "FLOAT_EXT",
        100 => "ATOM_EXT",
        101 => "REFERENCE_EXT",
        102 => "PORT_EXT",
        103 => "PID_EXT",
        104 => "SMALL_TUPLE_EXT",
        105 => "LARGE_TUPLE_EXT",
        106 => "NIL_EXT",
        107 => "STRING_EXT",
        108 => "LIST_EXT",
        109 => "BINARY_EXT",
        110 => "SMALL_BIG_EXT",
        111 => "LARGE_BIG_EXT",
        112 => "NEW_FUN_EXT",
        113 => "EXPORT_EXT",
        114 => "NEW_REFERENCE_EXT",
        115 => "SMALL_ATOM_EXT",
        116 => "MAP_EXT",
        118 => "ATOM_UTF8_EXT",
        119 => "SMALL_ATOM_UTF8_EXT",
        120 => "V4_PORT_EXT",
        121 => "LOCAL_EXT",
        131 => "version byte",
        _ => "unknown tag",
    };

    private ref struct Decoder
    {
        private const int PreallocateUpTo = 1024;

        private readonly ReadOnlySpan<byte> _data;
        private readonly int _end;
        private readonly bool _cutByLimit;
        private readonly TermLimits _limits;
        private readonly bool _inflated;
        private int _pos;
        private int _depth;

        public Decoder(ReadOnlySpan<byte> data, int offset, TermLimits limits, int depth, bool inflated = false)
        {
            _data = data;
            _pos = offset;
            _limits = limits;
            _depth = depth;
            _inflated = inflated;
            var available = data.Length - offset;
            var max = inflated ? int.MaxValue : limits.MaxBytes;
            _end = available > max ? offset + max : data.Length;
            _cutByLimit = _end < data.Length;
        }

        public readonly int Position => _pos;

        private readonly int Remaining => _end - _pos;

        public Term ReadTopLevel()
        {
            Need(1, "a term");
            if (_data[_pos] == VersionByte)
            {
                _pos++;
                Need(1, "a term after the version byte");
            }
            if (_data[_pos] == 80)
            {
                return ReadCompressed();
            }
            return ReadTerm();
        }

        private Term ReadCompressed()
        {
            var start = _pos;
            _pos++;
            var size = ReadUInt32("COMPRESSED's uncompressed size");
            if (size > (uint)_limits.MaxUncompressedBytes)
            {
                throw Error($"COMPRESSED declares {size} uncompressed bytes, over the limit of {_limits.MaxUncompressedBytes}", start);
            }
            if (size == 0)
            {
                throw Error("COMPRESSED declares 0 uncompressed bytes", start);
            }
            var inflated = Inflate(_data[_pos.._end], (int)size, start);
            _pos = _end;
            if (_cutByLimit)
            {
                throw Error($"the term is longer than the limit of {_limits.MaxBytes} bytes", start);
            }
            var inner = new Decoder(inflated, 0, _limits, _depth, inflated: true);
            var term = inner.ReadTerm();
            if (inner.Position != inflated.Length)
            {
                throw Error($"{inflated.Length - inner.Position} bytes follow the compressed term in its uncompressed bytes", start);
            }
            return term;
        }

        private static byte[] Inflate(ReadOnlySpan<byte> compressed, int size, int at)
        {
            try
            {
                using var input = new MemoryStream(compressed.ToArray(), writable: false);
                using var z = new ZLibStream(input, CompressionMode.Decompress);
                // Grow with the data actually inflated, not with the declared (untrusted) size.
                var buffer = new byte[Math.Min(size, 64 * 1024)];
                var filled = 0;
                while (filled < size)
                {
                    if (filled == buffer.Length)
                    {
                        Array.Resize(ref buffer, (int)Math.Min((long)size, (long)buffer.Length * 2));
                    }
                    var n = z.Read(buffer, filled, buffer.Length - filled);
                    if (n == 0)
                    {
                        throw new EtfFormatException($"COMPRESSED inflates to {filled} bytes, fewer than the {size} declared", at);
                    }
                    filled += n;
                }
                Span<byte> probe = stackalloc byte[1];
                if (z.Read(probe) != 0)
                {
                    throw new EtfFormatException($"COMPRESSED inflates to more than the {size} bytes declared", at);
                }
                return buffer;
            }
            catch (InvalidDataException e)
            {
                throw new EtfFormatException($"COMPRESSED is not valid zlib data ({e.Message}) (at byte {at})", e);
            }
        }

        private Term ReadTerm()
        {
            var start = _pos;
            if (++_depth > _limits.MaxDepth)
            {
                throw Error($"terms nest deeper than the limit of {_limits.MaxDepth}", start);
            }
            if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            {
                throw Error("terms nest deeper than this thread's stack allows", start);
            }
            var tag = ReadByte("a tag");
            Term term = tag switch
            {
                97 => Integer.Of(ReadByte("SMALL_INTEGER_EXT")),
                98 => Integer.Of(ReadInt32("INTEGER_EXT")),
                110 => ReadBig(ReadByte("SMALL_BIG_EXT's length"), start),
                111 => ReadBig(ReadUInt32("LARGE_BIG_EXT's length"), start),
                70 => ReadNewFloat(start),
                99 => ReadOldFloat(start),
                100 => ReadAtomBody(ReadUInt16("ATOM_EXT's length"), utf8: false, start),
                115 => ReadAtomBody(ReadByte("SMALL_ATOM_EXT's length"), utf8: false, start),
                118 => ReadAtomBody(ReadUInt16("ATOM_UTF8_EXT's length"), utf8: true, start),
                119 => ReadAtomBody(ReadByte("SMALL_ATOM_UTF8_EXT's length"), utf8: true, start),
                109 => new Binary(ReadBytes(ReadUInt32("BINARY_EXT's length"), "BINARY_EXT's bytes", start)),
                77 => ReadBitBinary(start),
                107 => ReadString(start),
                108 => ReadList(start),
                106 => List.Empty,
                104 => ReadTuple(ReadByte("SMALL_TUPLE_EXT's arity"), start),
                105 => ReadTuple(ReadUInt32("LARGE_TUPLE_EXT's arity"), start),
                116 => ReadMap(start),
                88 => new Pid(ReadAtom("NEW_PID_EXT's node"), ReadUInt32("NEW_PID_EXT's id"), ReadUInt32("NEW_PID_EXT's serial"), ReadUInt32("NEW_PID_EXT's creation")),
                103 => new Pid(ReadAtom("PID_EXT's node"), ReadUInt32("PID_EXT's id"), ReadUInt32("PID_EXT's serial"), ReadByte("PID_EXT's creation")),
                89 => new Port(ReadAtom("NEW_PORT_EXT's node"), ReadUInt32("NEW_PORT_EXT's id"), ReadUInt32("NEW_PORT_EXT's creation")),
                120 => new Port(ReadAtom("V4_PORT_EXT's node"), ReadUInt64("V4_PORT_EXT's id"), ReadUInt32("V4_PORT_EXT's creation")),
                102 => new Port(ReadAtom("PORT_EXT's node"), ReadUInt32("PORT_EXT's id"), ReadByte("PORT_EXT's creation")),
                90 => ReadNewReference(wideCreation: true, start),
                114 => ReadNewReference(wideCreation: false, start),
                101 => ReadOldReference(),
                112 => ReadFun(start),
                113 => ReadExport(),
                80 => throw Error("COMPRESSED is only allowed for a whole term, not inside one", start),
                82 => throw Error("ATOM_CACHE_REF (82) needs a distribution header atom cache, which is not used here", start),
                _ => throw Error($"unsupported tag {tag} ({TagName(tag)})", start),
            };
            _depth--;
            return term;
        }

        private Integer ReadBig(uint n, int start)
        {
            var sign = ReadByte("a bignum's sign");
            if (sign > 1)
            {
                throw Error($"bignum sign byte {sign}, expected 0 or 1", start);
            }
            Need(n, "a bignum's digits");
            var digits = _data.Slice(_pos, (int)n);
            _pos += (int)n;
            var value = new BigInteger(digits, isUnsigned: true, isBigEndian: false);
            return new Integer(sign == 1 ? -value : value);
        }

        private Float ReadNewFloat(int start)
        {
            Need(8, "NEW_FLOAT_EXT");
            var value = BinaryPrimitives.ReadDoubleBigEndian(_data.Slice(_pos, 8));
            _pos += 8;
            if (!double.IsFinite(value))
            {
                throw Error("NEW_FLOAT_EXT is not a finite number", start);
            }
            return new Float(value);
        }

        private Float ReadOldFloat(int start)
        {
            Need(31, "FLOAT_EXT");
            var text = _data.Slice(_pos, 31);
            _pos += 31;
            var nul = text.IndexOf((byte)0);
            if (nul >= 0)
            {
                text = text[..nul];
            }
            Span<char> chars = stackalloc char[31];
            for (var i = 0; i < text.Length; i++)
            {
                chars[i] = (char)text[i];
            }
            if (!double.TryParse(chars[..text.Length].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                throw Error("FLOAT_EXT is not a finite number in text", start);
            }
            return new Float(value);
        }

        private Atom ReadAtom(string what)
        {
            var start = _pos;
            var tag = ReadByte(what);
            return tag switch
            {
                100 => ReadAtomBody(ReadUInt16("ATOM_EXT's length"), utf8: false, start),
                115 => ReadAtomBody(ReadByte("SMALL_ATOM_EXT's length"), utf8: false, start),
                118 => ReadAtomBody(ReadUInt16("ATOM_UTF8_EXT's length"), utf8: true, start),
                119 => ReadAtomBody(ReadByte("SMALL_ATOM_UTF8_EXT's length"), utf8: true, start),
                _ => throw Error($"{what}: expected an atom, found tag {tag} ({TagName(tag)})", start),
            };
        }

        private Atom ReadAtomBody(uint length, bool utf8, int start)
        {
            // 255 characters: at most 255 latin-1 bytes, or 4 UTF-8 bytes each.
            if (length > (utf8 ? Atom.MaxCharacters * 4 : Atom.MaxCharacters))
            {
                throw Error($"atom of {length} bytes, longer than {Atom.MaxCharacters} characters", start);
            }
            Need(length, "an atom's name");
            var bytes = _data.Slice(_pos, (int)length);
            _pos += (int)length;
            var hash = AtomCache.Hash(bytes);
            if (AtomCache.TryGet(bytes, utf8, hash, out var cached))
            {
                return cached;
            }
            Span<char> chars = stackalloc char[bytes.Length];
            int count;
            if (utf8)
            {
                var status = Utf8.ToUtf16(bytes, chars, out _, out count, replaceInvalidSequences: false);
                if (status != System.Buffers.OperationStatus.Done)
                {
                    throw Error("atom name is not valid UTF-8", start);
                }
                var scalars = count;
                foreach (var c in chars[..count])
                {
                    if (char.IsLowSurrogate(c))
                    {
                        scalars--;
                    }
                }
                if (scalars > Atom.MaxCharacters)
                {
                    throw Error($"atom of {scalars} characters, over {Atom.MaxCharacters}", start);
                }
            }
            else
            {
                count = Encoding.Latin1.GetChars(bytes, chars);
            }
            var atom = Atom.Of(chars[..count]);
            AtomCache.Add(bytes, utf8, hash, atom);
            return atom;
        }

        private byte[] ReadBytes(uint length, string what, int start)
        {
            if (length > (uint)Remaining)
            {
                throw Truncated(what, start, length);
            }
            var bytes = _data.Slice(_pos, (int)length).ToArray();
            _pos += (int)length;
            return bytes;
        }

        private Binary ReadBitBinary(int start)
        {
            var length = ReadUInt32("BIT_BINARY_EXT's length");
            var bits = ReadByte("BIT_BINARY_EXT's bits");
            if (bits is 0 or > 8)
            {
                throw Error($"BIT_BINARY_EXT with {bits} bits in its last byte, expected 1..8", start);
            }
            if (length == 0)
            {
                throw Error("BIT_BINARY_EXT without bytes", start);
            }
            var bytes = ReadBytes(length, "BIT_BINARY_EXT's bytes", start);
            // The unused low bits carry nothing; clear them so equal bitstrings are equal terms.
            bytes[^1] &= (byte)(0xFF << (8 - bits));
            return new Binary(bytes, bits);
        }

        private Term ReadString(int start)
        {
            var length = ReadUInt16("STRING_EXT's length");
            Need(length, "STRING_EXT's bytes");
            if (length == 0)
            {
                return List.Empty;
            }
            var elements = new Term[length];
            for (var i = 0; i < elements.Length; i++)
            {
                elements[i] = Integer.Of(_data[_pos + i]);
            }
            _pos += length;
            return new List(elements);
        }

        private Term ReadList(int start)
        {
            var count = ReadUInt32("LIST_EXT's length");
            CheckCount(count, 1, "LIST_EXT", start);
            var elements = ReadTerms(count);
            var tail = ReadTerm();
            if (count == 0)
            {
                // Not what term_to_binary writes, but it denotes the tail itself.
                return tail;
            }
            return new List(elements, tail);
        }

        private Tuple ReadTuple(uint arity, int start)
        {
            CheckCount(arity, 0, "tuple", start);
            return new Tuple(ReadTerms(arity));
        }

        // A declared count is only a claim: beyond a small size, grow with the elements actually read, so nested
        // containers each declaring "all the remaining bytes" cannot make every level allocate that much up front.
        private Term[] ReadTerms(uint count)
        {
            if (count <= PreallocateUpTo)
            {
                var elements = new Term[count];
                for (var i = 0; i < elements.Length; i++)
                {
                    elements[i] = ReadTerm();
                }
                return elements;
            }
            var growing = new List<Term>(PreallocateUpTo);
            for (var i = 0u; i < count; i++)
            {
                growing.Add(ReadTerm());
            }
            return [.. growing];
        }

        private Map ReadMap(int start)
        {
            var count = ReadUInt32("MAP_EXT's arity");
            if (count > (uint)(Remaining / 2))
            {
                throw Error($"MAP_EXT declares {count} pairs, more than the {Remaining} bytes left can hold", start);
            }
            CheckCount(count, 0, "MAP_EXT", start);
            var pairs = new List<KeyValuePair<Term, Term>>((int)Math.Min(count, PreallocateUpTo));
            HashSet<Term>? keys = count > 8 ? new HashSet<Term>((int)Math.Min(count, PreallocateUpTo)) : null;
            for (var i = 0u; i < count; i++)
            {
                var keyAt = _pos;
                var key = ReadTerm();
                var value = ReadTerm();
                var duplicate = keys is null ? HasKey(pairs, key) : !keys.Add(key);
                if (duplicate)
                {
                    throw Error("MAP_EXT has a duplicate key", keyAt);
                }
                pairs.Add(new(key, value));
            }
            return new Map(pairs.Count == 0 ? [] : [.. pairs]);
        }

        private static bool HasKey(List<KeyValuePair<Term, Term>> pairs, Term key)
        {
            foreach (var p in pairs)
            {
                if (p.Key.Equals(key))
                {
                    return true;
                }
            }
            return false;
        }

        private Reference ReadNewReference(bool wideCreation, int start)
        {
            var words = ReadUInt16("a reference's length");
            if (words is 0 or > 5)
            {
                throw Error($"reference of {words} id words, expected 1..5", start);
            }
            var node = ReadAtom("a reference's node");
            var creation = wideCreation ? ReadUInt32("a reference's creation") : ReadByte("a reference's creation");
            Need(words * 4u, "a reference's ids");
            var ids = new uint[words];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = ReadUInt32("a reference id");
            }
            return new Reference(node, creation, ids);
        }

        private Reference ReadOldReference()
        {
            var node = ReadAtom("REFERENCE_EXT's node");
            var id = ReadUInt32("REFERENCE_EXT's id");
            var creation = ReadByte("REFERENCE_EXT's creation");
            return new Reference(node, creation, [id]);
        }

        private Opaque ReadFun(int start)
        {
            var size = ReadUInt32("NEW_FUN_EXT's size");
            // Size counts itself; the fixed fields after it take 25 bytes, the four terms at least 2 each.
            if (size < 4 + Opaque.FunFixedBytes + 8)
            {
                throw Error($"NEW_FUN_EXT of size {size}, too small", start);
            }
            Need(size - 4, "NEW_FUN_EXT");
            var end = start + 1 + (int)size;
            var fixedFields = _data.Slice(_pos, Opaque.FunFixedBytes).ToArray();
            _pos += Opaque.FunFixedBytes;
            var free = BinaryPrimitives.ReadUInt32BigEndian(fixedFields.AsSpan(Opaque.FunFixedBytes - 4));
            if (free > (uint)(end - _pos))
            {
                throw Error($"NEW_FUN_EXT declares {free} free variables, more than its size can hold", start);
            }
            Term[] head =
            [
                ReadAtom("NEW_FUN_EXT's module"),
                ExpectInteger(ReadTerm(), "NEW_FUN_EXT's old index", start),
                ExpectInteger(ReadTerm(), "NEW_FUN_EXT's old uniq", start),
                ReadTerm() as Pid ?? throw Error("NEW_FUN_EXT's pid is not a pid", start),
            ];
            Term[] terms = [.. head, .. ReadTerms(free)];
            if (_pos != end)
            {
                throw Error($"NEW_FUN_EXT's fields take {_pos - start - 1} bytes, its size says {size}", start);
            }
            return new Opaque(Opaque.FunTag, fixedFields, terms);
        }

        private Opaque ReadExport()
        {
            var module = ReadAtom("EXPORT_EXT's module");
            var function = ReadAtom("EXPORT_EXT's function");
            var arityAt = _pos;
            if (ReadByte("EXPORT_EXT's arity") != 97)
            {
                throw Error("EXPORT_EXT's arity is not a SMALL_INTEGER_EXT", arityAt);
            }
            return new Opaque(Opaque.ExportTag, ReadOnlyMemory<byte>.Empty, [module, function, Integer.Of(ReadByte("EXPORT_EXT's arity"))]);
        }

        private readonly Integer ExpectInteger(Term term, string what, int start)
            => term as Integer ?? throw Error($"{what} is not an integer", start);

        private readonly void CheckCount(uint count, int extraBytes, string what, int start)
        {
            if (count > (uint)_limits.MaxElements)
            {
                throw Error($"{what} of {count} elements, over the limit of {_limits.MaxElements}", start);
            }
            // Every element takes at least one byte.
            if ((long)count + extraBytes > Remaining)
            {
                throw Truncated($"{what}'s {count} elements", start, (long)count + extraBytes);
            }
        }

        private byte ReadByte(string what)
        {
            Need(1, what);
            return _data[_pos++];
        }

        private ushort ReadUInt16(string what)
        {
            Need(2, what);
            var v = BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(_pos, 2));
            _pos += 2;
            return v;
        }

        private uint ReadUInt32(string what)
        {
            Need(4, what);
            var v = BinaryPrimitives.ReadUInt32BigEndian(_data.Slice(_pos, 4));
            _pos += 4;
            return v;
        }

        private int ReadInt32(string what) => unchecked((int)ReadUInt32(what));

        private ulong ReadUInt64(string what)
        {
            Need(8, what);
            var v = BinaryPrimitives.ReadUInt64BigEndian(_data.Slice(_pos, 8));
            _pos += 8;
            return v;
        }

        private readonly void Need(long bytes, string what)
        {
            if (bytes > Remaining)
            {
                throw Truncated(what, _pos, bytes);
            }
        }

        private readonly EtfFormatException Truncated(string what, int at, long needed)
        {
            if (_cutByLimit)
            {
                return Error($"the term is longer than the limit of {_limits.MaxBytes} bytes (reading {what})", at);
            }
            return Error($"truncated: {what} needs {needed} bytes, {Remaining} left", at);
        }

        private readonly EtfFormatException Error(string message, int at)
            => new(_inflated ? message + " (in the uncompressed term)" : message, at);
    }
}
