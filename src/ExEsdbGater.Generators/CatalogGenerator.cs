using System;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace ExEsdbGater.Generators;

/// <summary>
/// Generates the message catalog from the <c>catalog.json</c> additional file: enums, payload records with
/// per-type validation, module classes with factories, and the descriptors of <c>MessageCatalog</c>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class CatalogGenerator : IIncrementalGenerator
{
    /// <summary>The catalog is not valid JSON.</summary>
    public static readonly DiagnosticDescriptor BadJson = new(
        "GATER001", "catalog.json is not valid JSON", "catalog.json is not valid JSON: {0}", "ExEsdbGater.Catalog", DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <summary>The catalog is JSON but breaks the catalog's shape or rules.</summary>
    public static readonly DiagnosticDescriptor BadCatalog = new(
        "GATER002", "catalog.json does not describe a valid catalog", "catalog.json: {0}", "ExEsdbGater.Catalog", DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <summary>A bug in the generator itself; reported rather than crashing the compiler.</summary>
    public static readonly DiagnosticDescriptor Failed = new(
        "GATER003", "The catalog generator failed", "The catalog generator failed: {0}", "ExEsdbGater.Catalog", DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // The text (a string) is the cache key: the model is rebuilt only when the file changes.
        var catalogs = context.AdditionalTextsProvider
            .Where(f => string.Equals(Path.GetFileName(f.Path), "catalog.json", StringComparison.OrdinalIgnoreCase))
            .Select((f, ct) => (f.Path, Text: f.GetText(ct)?.ToString() ?? ""));
        context.RegisterSourceOutput(catalogs, static (spc, file) => Generate(spc, file.Path, file.Text));
    }

    private static void Generate(SourceProductionContext spc, string path, string text)
    {
        Catalog catalog;
        try
        {
            catalog = Catalog.Read(text);
        }
        catch (CatalogException ex)
        {
            spc.ReportDiagnostic(Diagnostic.Create(ex.IsJson ? BadJson : BadCatalog, At(path, text, ex.Offset), ex.Message));
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            spc.ReportDiagnostic(Diagnostic.Create(Failed, Location.None, ex.GetType().Name + ": " + ex.Message));
            return;
        }
        foreach (var file in CatalogEmitter.Emit(catalog).ToList())
        {
            spc.AddSource(file.Key, SourceText.From(file.Value, System.Text.Encoding.UTF8));
        }
    }

    private static Location At(string path, string text, int offset)
    {
        offset = Math.Max(0, Math.Min(offset, text.Length));
        var lines = SourceText.From(text).Lines;
        var pos = lines.GetLinePosition(offset);
        return Location.Create(path, new TextSpan(offset, 0), new LinePositionSpan(pos, pos));
    }
}
