namespace ExEsdbGater.Dashboard;

/// <summary>The last value of each second, for the last <see cref="Capacity"/> seconds: a chart's worth, whatever the rate.</summary>
internal sealed class MetricSeries
{
    internal const int Capacity = 60;
    private readonly List<(long Second, double Value)> _points = new(Capacity + 1);

    public void Add(long unixMs, double value)
    {
        var second = unixMs / 1000;
        if (_points.Count > 0 && _points[^1].Second >= second)
        {
            _points[^1] = (_points[^1].Second, value);
            return;
        }
        _points.Add((second, value));
        if (_points.Count > Capacity)
        {
            _points.RemoveAt(0);
        }
    }

    /// <summary>Counts one event in its second.</summary>
    public void Increment(long unixMs)
    {
        var second = unixMs / 1000;
        if (_points.Count > 0 && _points[^1].Second >= second)
        {
            _points[^1] = (_points[^1].Second, _points[^1].Value + 1);
            return;
        }
        Add(unixMs, 1);
    }

    public IEnumerable<double> Values => _points.Select(p => p.Value);
}
