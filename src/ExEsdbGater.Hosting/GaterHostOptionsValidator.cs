using Microsoft.Extensions.Options;

namespace ExEsdbGater.Hosting;

/// <summary>The attribute rules of <see cref="GaterHostOptions"/>, generated at build time (no reflection).</summary>
[OptionsValidator]
internal sealed partial class GaterHostOptionsValidator : IValidateOptions<GaterHostOptions>;
