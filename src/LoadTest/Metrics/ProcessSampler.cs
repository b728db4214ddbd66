using System.Diagnostics;
using System.Globalization;

namespace ImOrleans.LoadTest.Metrics;

/// <summary>
/// CPU and memory of the load tester itself and, when a pid is given, of the server: CPU from
/// <c>/proc/&lt;pid&gt;/stat</c> (utime + stime), RSS from <c>/proc/&lt;pid&gt;/status</c> (VmRSS).
/// The machine's cores are shared, so every figure is reported with both processes' CPU beside it.
/// </summary>
internal sealed class ProcessSampler(int? serverPid)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    public int? ServerPid { get; } = serverPid;

    public CpuMark Mark() => new(Stopwatch.GetTimestamp(), Process.GetCurrentProcess().TotalProcessorTime, ServerCpuSeconds(), GC.GetTotalPauseDuration());

    /// <summary>Server resident set size in KiB, or null without a pid (or when the process is gone).</summary>
    public long? ServerRssKiB()
    {
        if (ServerPid is not { } pid)
        {
            return null;
        }

        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var digits = line.AsSpan(6).Trim();
                    var space = digits.IndexOf(' ');
                    return long.Parse(space > 0 ? digits[..space] : digits, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    /// <summary>The 1-minute load average from /proc/loadavg, or null where there is none.</summary>
    public static double? LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.AsSpan(0, text.IndexOf(' ')), CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private double? ServerCpuSeconds()
    {
        if (ServerPid is not { } pid)
        {
            return null;
        }

        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may hold spaces; fields after it start past the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state): utime is field 14, stime field 15.
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>A point in time with both processes' CPU time so far, and how long the load tester's collector has paused it.</summary>
internal readonly record struct CpuMark(long Timestamp, TimeSpan OwnCpu, double? ServerCpuSeconds, TimeSpan OwnGcPause)
{
    /// <summary>Cores used on average between <paramref name="earlier"/> and this mark (1.0 = one core busy).</summary>
    public CpuUse Since(CpuMark earlier)
    {
        var wall = Stopwatch.GetElapsedTime(earlier.Timestamp, Timestamp).TotalSeconds;
        if (wall <= 0)
        {
            return new CpuUse(0, 0, null, 0);
        }

        double? server = ServerCpuSeconds is { } now && earlier.ServerCpuSeconds is { } then ? (now - then) / wall : null;
        return new CpuUse(wall, (OwnCpu - earlier.OwnCpu).TotalSeconds / wall, server, (OwnGcPause - earlier.OwnGcPause).TotalSeconds / wall);
    }
}

/// <summary>
/// Average cores used over <see cref="WallSeconds"/> by the load tester and the server, and the share of that time the
/// load tester's own collector had it paused (a message that arrives then is timed late by as much).
/// </summary>
internal readonly record struct CpuUse(double WallSeconds, double OwnCores, double? ServerCores, double OwnGcPauseShare);
