using System.Diagnostics;

namespace ExEsdbGater.Beam.Tests.Terms;

/// <summary>
/// Runs the installed Erlang once for a batch of expressions and returns, for each, <c>term_to_binary/1</c> (OTP 25:
/// latin-1 atoms) and <c>term_to_binary/2</c> with <c>minor_version 2</c> (UTF-8 atoms, OTP 26's default), plus
/// the compressed form.
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

    public static IReadOnlyList<(byte[] Latin1, byte[] Utf8, byte[] Compressed)> Run(IReadOnlyList<string> expressions)
    {
        var script = Path.Combine(Path.GetTempPath(), $"ttb-{Guid.NewGuid():N}.escript");
        File.WriteAllText(script, Script);
        try
        {
            var start = new ProcessStartInfo("escript", [script])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
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
            return lines.Select(l => l.Split(' ')).Select(p => (Convert.FromHexString(p[0]), Convert.FromHexString(p[1]), Convert.FromHexString(p[2]))).ToList();
        }
        finally
        {
            File.Delete(script);
        }
    }
}
