using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace ExEsdbGater.Messages;

/// <summary>The JSON options of payloads: snake_case names, nulls written, nullable annotations and required parameters enforced.</summary>
/// <remarks>
/// Metadata comes from the reflection resolver because System.Text.Json's source generator cannot see types that
/// another generator (ours) produces in the same compilation.
/// </remarks>
internal static class PayloadJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
            Converters = { new InstantConverter() },
        };
        options.MakeReadOnly();
        return options;
    }
}
