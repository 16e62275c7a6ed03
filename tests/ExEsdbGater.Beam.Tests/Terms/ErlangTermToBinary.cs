using System.Diagnostics;

namespace ExEsdbGater.Beam.Tests.Terms;

/// <summary>
/// Runs the installed Erlang once for a batch of expressions and returns, for each, <c>term_to_binary/1</c> (OTP 25:
/// latin-1 atoms) and <c>term_to_binary/2</c> with <c>minor_version 2</c> (UTF-8 atoms, OTP 26's default), plus
/// the compressed form; or re-encodes and checks signatures as an OTP 25 receiver of the original does.
/// </summary>
internal static class ErlangTermToBinary
{
    private const string Script = """
        #!/usr/bin/env escript
        main(_) -> loop().
        loop() ->
            case io:get_line("") of
                eof -> ok;
                Line ->
                    {ok, Tokens, _} = erl_scan:string(string:trim(Line) ++ "."),
                    {ok, [Expr]} = erl_parse:parse_exprs(Tokens),
                    {value, V, _} = erl_eval:expr(Expr, []),
                    io:format("~s ~s ~s~n", [binary:encode_hex(term_to_binary(V)),
                                              binary:encode_hex(term_to_binary(V, [{minor_version, 2}])),
                                              binary:encode_hex(term_to_binary(V, [compressed]))]),
                    loop()
            end.
        """;

    // For each line of hex: the term's term_to_binary as that node re-encodes it (term order, OTP 25), and, for a
    // {secure_message, Sig, Msg}, whether Sig is HMAC-SHA256(SECRET, term_to_binary(Msg)), as the original checks.
    private const string ReencodeScript = """
        #!/usr/bin/env escript
        main(_) -> loop(list_to_binary(os:getenv("SECRET", ""))).
        loop(Secret) ->
            case io:get_line("") of
                eof -> ok;
                Line ->
                    T = binary_to_term(binary:decode_hex(list_to_binary(string:trim(Line)))),
                    Check = case T of
                        {secure_message, Sig, Msg} ->
                            case crypto:mac(hmac, sha256, Secret, term_to_binary(Msg)) of
                                Sig -> "valid";
                                _ -> "invalid"
                            end;
                        _ -> "none"
                    end,
                    io:format("~s ~s~n", [binary:encode_hex(term_to_binary(T)), Check]),
                    loop(Secret)
            end.
        """;

    public static IReadOnlyList<(byte[] Latin1, byte[] Utf8, byte[] Compressed)> Run(IReadOnlyList<string> expressions)
        => Escript(Script, expressions, null)
            .Select(l => l.Split(' '))
            .Select(p => (Convert.FromHexString(p[0]), Convert.FromHexString(p[1]), Convert.FromHexString(p[2])))
            .ToList();

    /// <summary>Erlang's binary_to_term then term_to_binary of each encoding, and its signature check with <paramref name="secret"/>.</summary>
    public static IReadOnlyList<(byte[] Reencoded, string Signature)> Reencode(IReadOnlyList<byte[]> encodings, string secret)
        => Escript(ReencodeScript, encodings.Select(Convert.ToHexString).ToList(), secret)
            .Select(l => l.Split(' '))
            .Select(p => (Convert.FromHexString(p[0]), p[1]))
            .ToList();

    private static string[] Escript(string source, IReadOnlyList<string> expressions, string? secret)
    {
        var script = Path.Combine(Path.GetTempPath(), $"ttb-{Guid.NewGuid():N}.escript");
        File.WriteAllText(script, source);
        try
        {
            var start = new ProcessStartInfo("escript", [script])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            if (secret is not null)
            {
                start.Environment["SECRET"] = secret;
            }
            using var process = Process.Start(start) ?? throw new InvalidOperationException("escript did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            foreach (var e in expressions)
            {
                process.StandardInput.WriteLine(e);
            }
            process.StandardInput.Close();
            process.WaitForExit();
            var lines = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (process.ExitCode != 0 || lines.Length != expressions.Count)
            {
                throw new InvalidOperationException($"escript exited {process.ExitCode} with {lines.Length} of {expressions.Count} lines: {stderr.Result}");
            }
            return lines;
        }
        finally
        {
            File.Delete(script);
        }
    }
}
