using System.Buffers.Text;
using System.Diagnostics;

namespace ImOrleans.LoadTest.Wire;

/// <summary>
/// The send time carried at the start of every message body: a <see cref="Stopwatch"/> timestamp as 16 hex digits.
/// Sender and receiver are in the same process, so the difference is the send-to-deliver latency.
/// </summary>
internal static class MessageStamp
{
    public const int Digits = 16;

    public static string Format(long stamp, int length)
    {
        var text = stamp.ToString("X16", System.Globalization.CultureInfo.InvariantCulture);
        return length > Digits ? text + new string('.', length - Digits) : text;
    }

    public static bool TryParse(ReadOnlySpan<byte> content, out long stamp)
    {
        stamp = 0;
        return content.Length >= Digits
            && Utf8Parser.TryParse(content[..Digits], out stamp, out var consumed, 'X')
            && consumed == Digits;
    }

    public static bool TryParse(string content, out long stamp)
    {
        stamp = 0;
        return content.Length >= Digits
            && long.TryParse(content.AsSpan(0, Digits), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out stamp);
    }

    /// <summary>Microseconds from <paramref name="stamp"/> to <paramref name="now"/> (both Stopwatch timestamps), at least 1.</summary>
    public static long MicrosecondsBetween(long stamp, long now) =>
        Math.Max(1, (long)((now - stamp) * 1_000_000.0 / Stopwatch.Frequency));
}
