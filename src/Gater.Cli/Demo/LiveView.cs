using System.Globalization;
using System.Text;
using ExEsdbGater;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Gater.Cli.Demo;

/// <summary>
/// The live terminal view of the demo. Every frame is laid out for the terminal's current size (Spectre's profile
/// width and height): what matters most is placed first — the header, every node (or as many as fit and a summary
/// line for the rest), the rogue's rejected frames — and the activity feeds take what is left. Text is shortened at
/// word boundaries with "…", never cut inside a word; columns of the node table are left out whole, least useful
/// first, when the width is short.
/// </summary>
internal static class LiveView
{
    /// <summary>What the view says about the run itself.</summary>
    internal sealed record Info(IGaterBus Monitor, string Backplane, string SecretNote, TimeSpan? Duration, bool Rogue, IReadOnlyList<GaterInstance> Durable);

    private const string RogueLabel = "rogue publisher (simulated attacker)";

    public static async Task RunAsync(DemoState state, Info info, CancellationToken ct)
    {
        var console = AnsiConsole.Console;
        IRenderable Frame() => Build(state, info, console.Profile.Width, console.Profile.Height);
        await console.Live(Frame()).AutoClear(false).Overflow(VerticalOverflow.Crop).Cropping(VerticalOverflowCropping.Bottom).StartAsync(async ctx =>
        {
            while (!ct.IsCancellationRequested)
            {
                ctx.UpdateTarget(Frame());
                ctx.Refresh();
                try
                {
                    await Task.Delay(250, ct);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            ctx.UpdateTarget(Frame());
            ctx.Refresh();
        });
    }

    /// <summary>One screen of at most <paramref name="height"/> - 1 lines of at most <paramref name="width"/> columns.</summary>
    internal static IRenderable Build(DemoState s, Info info, int width, int height)
    {
        width = Math.Max(width, 20);
        var budget = Math.Max(height - 1, 4); // the live display keeps the cursor on the line below
        var rows = new List<IRenderable>();
        var nodes = s.Nodes.Where(p => !p.Key.StartsWith("rogue", StringComparison.Ordinal))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();
        var healthy = nodes.Count(p => p.Value.Status == "healthy");

        // header: two lines, made of whole pieces
        var elapsed = DateTimeOffset.UtcNow - s.Started;
        var clock = elapsed.ToString(@"mm\:ss", CultureInfo.InvariantCulture) + (info.Duration is { } d ? " of " + d.ToString(@"mm\:ss", CultureInfo.InvariantCulture) : " (Ctrl+C to stop)");
        // which instances are durable (Redis streams) comes before the monitor's name: it says what a message's fate is
        var first = new List<(string, string)> { ("ExEsdbGater demo", "bold"), (clock, "grey"), ($"{nodes.Length} node(s) over {info.Backplane}", "") };
        if (info.Durable.Count > 0)
        {
            first.Add(("durable: " + string.Join(" ", info.Durable.Select(i => i.WireName()["ex_esdb_".Length..])), "cyan"));
        }
        first.Add(($"watched by {info.Monitor.Node}", "grey"));
        rows.Add(Line(width, " · ", [.. first]));
        var stats = info.Monitor.Statistics;
        var pieces = new List<(string, string)>
        {
            // derived from the node rows below, so that the header always agrees with them
            ($"nodes {healthy}/{nodes.Length} healthy", healthy == nodes.Length ? "green" : "yellow"),
            ($"verified {Interlocked.Read(ref s.Verified):N0}", "green"),
            ($"rejected {Interlocked.Read(ref s.Rejected):N0}", "red"),
        };
        if (s.Outages is { } o)
        {
            var failed = s.FailedPublishes();
            if (o.Down > 0)
            {
                pieces.Insert(0, ($"REDIS DOWN {(DateTimeOffset.UtcNow - (o.DownSince ?? DateTimeOffset.UtcNow)).TotalSeconds:0}s", "bold red"));
            }
            if (o.Disconnects > 0 || failed > 0)
            {
                pieces.Add(($"outages {o.Disconnects}, failed publishes {failed:N0}", "red"));
            }
        }
        pieces.Add(($"gaps {stats.Gaps}", stats.Gaps > 0 ? "yellow" : ""));
        pieces.Add(($"dropped {stats.Dropped}", stats.Dropped > 0 ? "yellow" : ""));
        rows.Add(Line(width, "  ", [.. pieces]));
        budget -= 2;

        // the rogue's rejections: a title and the reasons, wrapped by whole items
        var title = Wrap(width, " ", info.Rogue ? [RogueLabel + ":", $"{Interlocked.Read(ref s.Rejected):N0} frames rejected"] : [$"rejected frames: {Interlocked.Read(ref s.Rejected):N0}"]);
        var reasons = Wrap(width, "  ", [.. RejectReasons.All.Where(r => s.RejectedByReason.GetValueOrDefault(r) > 0)
            .Select(r => $"{r.WireName()} {s.RejectedByReason[r].ToString("N0", CultureInfo.InvariantCulture)}")]);

        // the node table: all rows if they fit beside the rogue's title, else as many as fit and one summary line
        var columns = Columns(nodes, width);
        var roomForRows = budget - 4 - title.Count; // 4: the table's borders and header
        var shown = nodes.Length <= roomForRows ? nodes.Length : Math.Max(roomForRows - 1, 0);
        if (columns.Count > 0 && shown > 0)
        {
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var c in columns)
            {
                table.AddColumn(new TableColumn(c.Header).NoWrap());
            }
            foreach (var (name, n) in nodes.Take(shown))
            {
                table.AddRow(columns.Select(c => (IRenderable)new Markup(c.Cell(name, n))).ToArray());
            }
            rows.Add(table);
            budget -= 4 + shown;
        }
        if (shown < nodes.Length)
        {
            var rest = nodes.Skip(shown).GroupBy(p => p.Value.Status).Select(g => $"{g.Count()} {g.Key}");
            rows.Add(new Markup(DemoState.Esc(Fit($"… and {nodes.Length - shown} more node(s): {string.Join(", ", rest)}", width)), new Style(Spectre.Console.Color.Grey)));
            budget--;
        }

        foreach (var l in title.Take(Math.Max(budget, 0)))
        {
            rows.Add(new Markup(DemoState.Esc(l).Replace(RogueLabel, $"[bold red]{RogueLabel}[/]", StringComparison.Ordinal)));
            budget--;
        }
        foreach (var l in reasons.Take(Math.Max(budget, 0)))
        {
            rows.Add(new Markup("[red]" + DemoState.Esc(l) + "[/]"));
            budget--;
        }
        if (budget > 0)
        {
            rows.Add(new Markup("[grey]" + DemoState.Esc(Fit(info.SecretNote, width)) + "[/]"));
            budget--;
        }

        // what is left: the latest alerts, security events and errors, newest first, taken in turn
        if (budget >= 2)
        {
            rows.Add(new Markup("[bold]" + DemoState.Esc(Fit("latest alerts, security events and errors", width)) + "[/]"));
            budget--;
            foreach (var f in Interleave(s.Alerts(), s.Security(), s.Logs()).Take(budget))
            {
                rows.Add(new Markup(Feed(f, width)));
                budget--;
            }
        }
        if (budget >= 2)
        {
            var byInstance = Wrap(width, "  ", [.. GaterInstances.All.Where(i => i != GaterInstance.Events)
                .Select(i => $"{i.WireName()["ex_esdb_".Length..]} {s.VerifiedByInstance.GetValueOrDefault(i).ToString("N0", CultureInfo.InvariantCulture)}")]);
            if (byInstance.Count < budget)
            {
                rows.Add(new Markup("[bold]verified by instance[/]"));
                rows.AddRange(byInstance.Select(l => new Markup(DemoState.Esc(l))));
            }
        }
        return new Rows(rows);
    }

    private sealed record Column(string Header, Func<string, DemoState.NodeView, string> Text, Func<string, DemoState.NodeView, string> Cell);

    /// <summary>The node table's columns, most useful first, as many as the width takes (whole columns only).</summary>
    private static List<Column> Columns(KeyValuePair<string, DemoState.NodeView>[] nodes, int width)
    {
        var names = nodes.Select(p => p.Key).ToArray();
        // full names if they fit with the health column; else the part before '@' (the demo's hosts are all one)
        var full = names.Length == 0 || names.Max(n => n.Length) + "degraded".Length + 7 <= width;
        Func<string, DemoState.NodeView, string> name = (n, _) => full ? n : DemoState.Short(n);
        var all = new List<Column>
        {
            new("node", name, (n, v) => DemoState.Esc(name(n, v))),
            new("health", (_, v) => v.Status, (_, v) => $"[{Color(v.Status)}]{DemoState.Esc(v.Status)}[/]"),
            new("msgs", (_, v) => Count(v.Messages), (_, v) => Count(v.Messages)),
            new("cpu %", (_, v) => Num(v.Cpu), (_, v) => Num(v.Cpu)),
            new("mem %", (_, v) => Num(v.Memory), (_, v) => Num(v.Memory)),
            new("p99 ms", (_, v) => Num(v.LatencyP99), (_, v) => Num(v.LatencyP99)),
            new("disk %", (_, v) => Num(v.Disk), (_, v) => Num(v.Disk)),
            new("ops/s", (_, v) => Num(v.Throughput, "N0"), (_, v) => Num(v.Throughput, "N0")),
        };
        var chosen = new List<Column>();
        var used = 1; // the table's left border
        foreach (var c in all)
        {
            var w = Math.Max(c.Header.Length, nodes.Length == 0 ? 1 : nodes.Max(p => c.Text(p.Key, p.Value).Length)) + 3; // padding and border
            if (used + w > width)
            {
                break;
            }
            chosen.Add(c);
            used += w;
        }
        return chosen;
    }

    private static IEnumerable<FeedLine> Interleave(params FeedLine[][] feeds)
    {
        for (var i = 0; feeds.Any(f => i < f.Length); i++)
        {
            foreach (var f in feeds)
            {
                if (i < f.Length)
                {
                    yield return f[i];
                }
            }
        }
    }

    /// <summary>A feed line in the width: the note goes first, then the text is shortened at a word boundary.</summary>
    private static string Feed(FeedLine f, int width)
    {
        var tag = Fit(f.Tag, width);
        var room = width - tag.Length - 1;
        var text = f.Text;
        var note = f.Note.Length > 0 && text.Length + 2 + f.Note.Length <= room ? "  " + f.Note : "";
        text = room > 0 ? Fit(text, room - note.Length) : "";
        return $"[{f.Style}]{DemoState.Esc(tag)}[/] {DemoState.Esc(text)}[grey]{DemoState.Esc(note)}[/]";
    }

    /// <summary>One line of whole pieces: pieces that do not fit are left out (the first always stays, shortened).</summary>
    private static Markup Line(int width, string separator, params (string Text, string Style)[] pieces)
    {
        var sb = new StringBuilder();
        var used = 0;
        foreach (var (text, style) in pieces)
        {
            var add = used == 0 ? Fit(text, width) : text;
            var extra = (used == 0 ? 0 : separator.Length) + add.Length;
            if (used + extra > width)
            {
                continue;
            }
            if (used > 0)
            {
                sb.Append(DemoState.Esc(separator));
            }
            sb.Append(style.Length > 0 ? $"[{style}]{DemoState.Esc(add)}[/]" : DemoState.Esc(add));
            used += extra;
        }
        return new Markup(sb.ToString());
    }

    /// <summary>Lines of whole items, each line within the width (an item longer than the width is shortened).</summary>
    private static List<string> Wrap(int width, string separator, string[] items)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var raw in items)
        {
            var item = Fit(raw, width);
            if (line.Length > 0 && line.Length + separator.Length + item.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear();
            }
            if (line.Length > 0)
            {
                line.Append(separator);
            }
            line.Append(item);
        }
        if (line.Length > 0)
        {
            lines.Add(line.ToString());
        }
        return lines;
    }

    /// <summary>The text within <paramref name="max"/> columns, shortened at a word boundary with "…".</summary>
    internal static string Fit(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }
        if (max <= 1)
        {
            return max == 1 ? "…" : "";
        }
        var cut = text[..(max - 1)];
        var space = cut.LastIndexOf(' ');
        if (space > 0)
        {
            cut = cut[..space];
        }
        return cut.TrimEnd(' ', ',', ':', ';', '.') + "…";
    }

    private static string Color(string status) => status switch { "healthy" => "green", "degraded" => "yellow", "unhealthy" => "red", _ => "grey" };

    private static string Num(double? v, string format = "0.0") => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
