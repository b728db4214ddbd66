namespace ImOrleans.Silo;

/// <summary>The business notice API (R11) on the silo's HTTP listener, bound from the section <c>Notices</c>.</summary>
public sealed class NoticeOptions
{
    public const string SectionName = "Notices";

    /// <summary>Minimum length of <see cref="ServiceKey"/>.</summary>
    public const int MinServiceKeyLength = 16;

    /// <summary>
    /// The key business services send in the <c>X-Service-Key</c> header. Default empty: the API answers every call
    /// with 503 until a key is set. A key shorter than 16 characters stops the silo at start.
    /// </summary>
    public string ServiceKey { get; set; } = "";

    /// <summary>Most target users of one POST /notices. Default 1000; more is refused with 400.</summary>
    public int MaxUsersPerRequest { get; set; } = 1000;

    internal IEnumerable<string> Validate()
    {
        if (ServiceKey.Length is > 0 and < MinServiceKeyLength)
        {
            yield return $"{SectionName}:ServiceKey must be at least {MinServiceKeyLength} characters (or empty to turn the notice API off).";
        }

        if (MaxUsersPerRequest < 1)
        {
            yield return $"{SectionName}:MaxUsersPerRequest must be at least 1.";
        }
    }
}
