namespace ExEsdbGater.Json;

/// <summary>
/// The state of a <see cref="JsonMap"/> or <see cref="JsonAny"/> built by the library from .NET values: bytes a
/// <see cref="System.Text.Json.Utf8JsonWriter"/> with default options wrote, so already what re-writing the value
/// through such a writer gives (minimized, strings escaped by the default encoder, numbers as written). The signer
/// copies them as they are instead of parsing them into a document to write it back.
/// </summary>
internal sealed class WrittenJson(byte[] utf8)
{
    public readonly byte[] Utf8 = utf8;
}
