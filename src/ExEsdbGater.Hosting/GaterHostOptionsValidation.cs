using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ExEsdbGater.Hosting;

/// <summary>
/// Checks a bus's options at host start: the generated attribute rules, then what attributes cannot say (node name,
/// secrets, instance names, a Redis connection string when Redis is used). Every failure names its configuration key;
/// no failure repeats a secret.
/// </summary>
internal sealed partial class GaterHostOptionsValidation(IServiceProvider services) : IValidateOptions<GaterHostOptions>
{
    private readonly GaterHostOptionsValidator _generated = new();

    public ValidateOptionsResult Validate(string? name, GaterHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        name ??= Options.DefaultName;
        if (services.GetKeyedService<GaterBusSetup>(name) is not { } setup)
        {
            return ValidateOptionsResult.Skip;
        }
        var section = setup.Section;
        var failures = new List<string>();
        var generated = _generated.Validate(name, options);
        if (generated.Failed)
        {
            failures.AddRange(generated.Failures.Select(f => Keyed(section, f)));
        }
        if (options.NodeName is { } node && !NodeName.IsValid(node))
        {
            failures.Add($"{section}:NodeName must be name@host (letters, digits, _ - . on each side); was '{Shorten(node)}'.");
        }
        var secret = SecretOf(options, services.GetService<IConfiguration>()) ?? NonEmpty(Environment.GetEnvironmentVariable(KeyRing.SecretVariable));
        if (options.AllowUnsigned)
        {
            if (secret is not null)
            {
                failures.Add($"{section}:AllowUnsigned must be false when a secret is set ({section}:Secret or SECRET_KEY_BASE).");
            }
        }
        else if (secret is null)
        {
            failures.Add($"{section}:Secret is not set, nor SECRET_KEY_BASE: every node needs the same secret of at least {GaterKey.MinSecretBytes} bytes ('gater keygen' makes one).");
        }
        else
        {
            CheckSecret(secret, $"{section}:Secret", failures);
        }
        for (var i = 0; i < options.PreviousSecrets.Count; i++)
        {
            CheckSecret(options.PreviousSecrets[i], $"{section}:PreviousSecrets:{i}", failures);
        }
        foreach (var (key, queue) in options.Instances)
        {
            if (!TryParseInstance(key, out _))
            {
                failures.Add($"{section}:Instances:{key} is not an instance (Health or ex_esdb_health, …).");
            }
            else if (queue is null || queue.Capacity < 1)
            {
                failures.Add($"{section}:Instances:{key}:Capacity must be at least 1.");
            }
        }
        if (setup.UsesRedis && string.IsNullOrWhiteSpace(options.Redis.ConnectionString))
        {
            failures.Add($"{section}:Redis:ConnectionString must be set: the Redis backplane was added.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The secret from the options, else from the configuration key <c>SECRET_KEY_BASE</c>.</summary>
    public static string? SecretOf(GaterHostOptions options, IConfiguration? configuration)
        => NonEmpty(options.Secret) ?? NonEmpty(configuration?[KeyRing.SecretVariable]);

    /// <summary>An instance by wire name (<c>ex_esdb_health</c>) or by its .NET name (<c>Health</c>).</summary>
    public static bool TryParseInstance(string? key, out GaterInstance instance)
        => GaterInstances.TryParse(key, out instance) || (Enum.TryParse(key, ignoreCase: true, out instance) && Enum.IsDefined(instance) && !int.TryParse(key, out _));

    private static void CheckSecret(string secret, string key, List<string> failures)
    {
        try
        {
            GaterKey.FromSecret(secret);
        }
        catch (GaterConfigurationException ex)
        {
            // the core's message states lengths only, never the secret
            failures.Add($"{key}: {ex.Message}");
        }
    }

    // "Capacity: The field GaterHostOptions.Handlers.Capacity must be …" → "ExEsdbGater:Handlers:Capacity: The field … must be …"
    private static string Keyed(string section, string failure)
    {
        var m = MemberPath().Match(failure);
        var colon = failure.IndexOf(": ", StringComparison.Ordinal);
        var text = colon >= 0 ? failure[(colon + 2)..] : failure;
        return m.Success ? $"{section}:{m.Groups[1].Value.Replace('.', ':')}: {text}" : $"{section}: {failure}";
    }

    [GeneratedRegex(@"GaterHostOptions\.([\w.]+)")]
    private static partial Regex MemberPath();

    private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";
}
