using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ExEsdbGater.Messages;

/// <summary>One payload type of the catalog, as implemented (generated from the catalog).</summary>
public sealed class MessageTypeInfo
{
    private Dictionary<string, int>? _fieldIndex;

    internal MessageTypeInfo()
    {
    }

    /// <summary>The record type.</summary>
    public Type ClrType { get; internal init; } = typeof(GaterMessage);

    /// <summary>The type name, e.g. <c>NodeHealth</c>.</summary>
    public string Name => ClrType.Name;

    /// <summary>The wire tag, e.g. <c>node_health_updated</c>.</summary>
    public string Tag { get; internal init; } = "";

    /// <summary>The instance the type travels on.</summary>
    public GaterInstance Instance { get; internal init; }

    /// <summary>The module name, e.g. <c>HealthMessages</c>.</summary>
    public string Module { get; internal init; } = "";

    /// <summary>The factory's catalog name, e.g. <c>node_health</c>.</summary>
    public string Factory { get; internal init; } = "";

    /// <summary>The factory's required arguments (wire names), in order.</summary>
    public IReadOnlyList<string> Arguments { get; internal init; } = [];

    /// <summary>The fields, in wire order.</summary>
    public IReadOnlyList<MessageFieldInfo> Fields { get; internal init; } = [];

    /// <summary>
    /// Builds a message of this type through its factory from fields given by wire name (see
    /// <see cref="MessageCatalog.Create(GaterInstance, string, JsonElement, MessageContext?)"/>).
    /// </summary>
    /// <exception cref="MessageArgumentException">A field is unknown, missing, of the wrong kind or refused; the message names it.</exception>
    public GaterMessage Create(JsonElement arguments, MessageContext? messageContext = null)
    {
        var args = new FactoryArguments(this, arguments);
        GaterMessage message;
        try
        {
            message = Creator(args, messageContext);
        }
        catch (ArgumentException ex) when (ex is not MessageArgumentException)
        {
            // a factory's own rule (e.g. rate_per_sec needs a positive duration_ms): its text without .NET's parameter suffix
            var text = ex.Message.Split('\n')[0];
            text = ex.ParamName is { } p ? text.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal) : text;
            throw args.Error(null, text, ex);
        }
        var check = message.Validate();
        if (!check.IsOk)
        {
            var field = check.Fields.FirstOrDefault();
            throw args.Error(field, check.Error == ValidationError.InvalidNodeFields
                ? $"'{field}' is not a valid node name (name@host: name [A-Za-z0-9_.+-]{{1,128}}, host [A-Za-z0-9_.-]{{1,253}})"
                : $"the message is not valid ({check})");
        }
        return message;
    }

    /// <summary>The generated creator: reads the fields it needs from the arguments and calls the factory.</summary>
    internal Func<FactoryArguments, MessageContext?, GaterMessage> Creator { get; init; } = static (_, _) => throw new InvalidOperationException("no factory");

    /// <summary>The generated payload writer of the record (its <c>Write</c>): the signer's path.</summary>
    internal Action<System.Text.Json.Utf8JsonWriter, GaterMessage> Writer { get; init; } = static (_, _) => throw new InvalidOperationException("no writer");

    /// <summary>The generated member reader of the record (its <c>TryReadMembers</c>): step 14 after the body scanner.</summary>
    internal PayloadMemberReader MemberReader { get; init; } = static (ReadOnlySpan<byte> _, ReadOnlySpan<Frames.PayloadMember> _, [NotNullWhen(true)] out GaterMessage? m, out PayloadFault f) => throw new InvalidOperationException("no reader");

    /// <summary>The generated payload reader of the record (its <c>TryRead</c>): the verifier's step 14.</summary>
    internal PayloadReader Reader { get; init; } = static (ReadOnlySpan<byte> _, [NotNullWhen(true)] out GaterMessage? m, out PayloadFault f) => throw new InvalidOperationException("no reader");

    // Built on first use; a race builds the same value twice, which is harmless.
    internal JsonTypeInfo JsonTypeInfo => field ??= PayloadJson.Options.GetTypeInfo(ClrType);

    internal Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> FieldIndex
        => (_fieldIndex ??= Fields.Select((f, i) => (f.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal))
            .GetAlternateLookup<ReadOnlySpan<char>>();
}
