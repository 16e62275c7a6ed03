// A small strict JSON reader: System.Text.Json cannot be loaded by a netstandard2.0 analyzer without shipping it.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ExEsdbGater.Generators;

/// <summary>A JSON object: members in document order, duplicate names rejected.</summary>
internal sealed class JsonObject
{
    public JsonObject(int offset)
    {
        Offset = offset;
    }

    /// <summary>Where the object starts in the text (for diagnostics).</summary>
    public int Offset { get; }

    public List<KeyValuePair<string, object?>> Members { get; } = new List<KeyValuePair<string, object?>>();

    public bool TryGet(string name, out object? value)
    {
        foreach (var m in Members)
        {
            if (m.Key == name)
            {
                value = m.Value;
                return true;
            }
        }
        value = null;
        return false;
    }
}

/// <summary>A JSON number, kept as its text so integers and decimals stay apart.</summary>
internal sealed class JsonNumber
{
    public JsonNumber(string raw)
    {
        Raw = raw;
    }

    public string Raw { get; }

    public bool IsInteger => Raw.IndexOfAny(new[] { '.', 'e', 'E' }) < 0;
}

/// <summary>Parses JSON text into <see cref="JsonObject"/>, <see cref="List{T}"/>, string, <see cref="JsonNumber"/>, bool and null.</summary>
internal sealed class MiniJson
{
    private readonly string _s;
    private int _i;

    private MiniJson(string s)
    {
        _s = s;
    }

    public static object? Parse(string text)
    {
        var p = new MiniJson(text);
        p.SkipWhite();
        var v = p.ReadValue(0);
        p.SkipWhite();
        if (p._i != text.Length)
        {
            throw Error("unexpected text after the JSON value", p._i);
        }
        return v;
    }

    private object? ReadValue(int depth)
    {
        if (depth > 64)
        {
            throw Error("nesting deeper than 64", _i);
        }
        if (_i >= _s.Length)
        {
            throw Error("unexpected end of text", _i);
        }
        var c = _s[_i];
        switch (c)
        {
            case '{':
                return ReadObject(depth);
            case '[':
                return ReadArray(depth);
            case '"':
                return ReadString();
            case 't':
                return ReadWord("true", true);
            case 'f':
                return ReadWord("false", false);
            case 'n':
                return ReadWord("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return ReadNumber();
                }
                throw Error($"unexpected character '{c}'", _i);
        }
    }

    private JsonObject ReadObject(int depth)
    {
        var obj = new JsonObject(_i);
        ReadItems('}', () =>
        {
            if (Peek() != '"')
            {
                throw Error("expected a member name", _i);
            }
            var at = _i;
            var name = ReadString();
            if (obj.TryGet(name, out _))
            {
                throw Error($"duplicate member '{name}'", at);
            }
            SkipWhite();
            Expect(':');
            SkipWhite();
            obj.Members.Add(new KeyValuePair<string, object?>(name, ReadValue(depth + 1)));
        });
        return obj;
    }

    private List<object?> ReadArray(int depth)
    {
        var list = new List<object?>();
        ReadItems(']', () => list.Add(ReadValue(depth + 1)));
        return list;
    }

    // The comma-separated items between an opening bracket (at _i) and its closing one.
    private void ReadItems(char close, Action readItem)
    {
        _i++;
        SkipWhite();
        if (Peek() == close)
        {
            _i++;
            return;
        }
        while (true)
        {
            SkipWhite();
            readItem();
            SkipWhite();
            if (Peek() != ',')
            {
                Expect(close);
                return;
            }
            _i++;
        }
    }

    private string ReadString()
    {
        _i++;
        var sb = new StringBuilder();
        while (true)
        {
            if (_i >= _s.Length)
            {
                throw Error("unterminated string", _i);
            }
            var c = _s[_i++];
            if (c == '"')
            {
                return sb.ToString();
            }
            if (c < ' ')
            {
                throw Error("control character in string", _i - 1);
            }
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            var e = Peek();
            _i++;
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    if (_i + 4 > _s.Length || !int.TryParse(_s.Substring(_i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                    {
                        throw Error("bad \\u escape", _i);
                    }
                    sb.Append((char)code);
                    _i += 4;
                    break;
                default:
                    throw Error("bad escape", _i - 1);
            }
        }
    }

    private JsonNumber ReadNumber()
    {
        var start = _i;
        if (Peek() == '-')
        {
            _i++;
        }
        var digits = Digits();
        if (digits == 0 || (digits > 1 && _s[_i - digits] == '0'))
        {
            throw Error("bad number", start);
        }
        if (Peek() == '.')
        {
            _i++;
            if (Digits() == 0)
            {
                throw Error("bad number", start);
            }
        }
        if (Peek() == 'e' || Peek() == 'E')
        {
            _i++;
            if (Peek() == '+' || Peek() == '-')
            {
                _i++;
            }
            if (Digits() == 0)
            {
                throw Error("bad number", start);
            }
        }
        return new JsonNumber(_s.Substring(start, _i - start));
    }

    private int Digits()
    {
        var n = 0;
        while (_i < _s.Length && _s[_i] >= '0' && _s[_i] <= '9')
        {
            _i++;
            n++;
        }
        return n;
    }

    private object? ReadWord(string word, object? value)
    {
        if (string.CompareOrdinal(_s, _i, word, 0, word.Length) != 0)
        {
            throw Error($"expected '{word}'", _i);
        }
        _i += word.Length;
        return value;
    }

    private static CatalogException Error(string message, int offset) => new CatalogException(message, offset, isJson: true);

    private void Expect(char c)
    {
        if (Peek() != c)
        {
            throw Error($"expected '{c}'", _i);
        }
        _i++;
    }

    private char Peek() => _i < _s.Length ? _s[_i] : '\0';

    private void SkipWhite()
    {
        while (_i < _s.Length && (_s[_i] == ' ' || _s[_i] == '\t' || _s[_i] == '\n' || _s[_i] == '\r'))
        {
            _i++;
        }
    }
}
