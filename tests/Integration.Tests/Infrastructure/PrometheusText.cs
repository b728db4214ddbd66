using System.Globalization;
using System.Text.RegularExpressions;

namespace ImOrleans.Integration.Tests;

/// <summary>Reads samples out of a /metrics page (Prometheus text format).</summary>
internal static class PrometheusText
{
    /// <summary>The value of the first sample with this name (and carrying this label, if given), or -1 when absent.</summary>
    public static double Sample(string metrics, string name, string label = "")
    {
        var pattern = $@"(?m)^{name}(?:\{{[^}}]*{Regex.Escape(label)}[^}}]*\}})? ([0-9.eE+-]+)";
        var match = Regex.Match(metrics, pattern);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }
}
