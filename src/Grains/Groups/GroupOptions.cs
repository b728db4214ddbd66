namespace ImOrleans.Grains.Hosting;

/// <summary>Settings of the group grain, bound from the configuration section <c>Groups</c>.</summary>
public sealed class GroupOptions
{
    public const string SectionName = "Groups";

    /// <summary>Most members of one group. Default 20,000. Adding past it is refused with GroupFull.</summary>
    public int MaxMembers { get; set; } = 20_000;

    /// <summary>Most users one create or add request may name. Default 100; a longer list is refused with InvalidArgument.</summary>
    public int MaxMembersPerRequest { get; set; } = 100;

    /// <summary>
    /// How long a group keeps pushing to a member after their user grain last said the member is online. Default 3
    /// minutes. User grains renew it at least every third of this while the member has a session, so it only runs out
    /// when a silo holding a user grain dies; the member's client then syncs by seq.
    /// </summary>
    public TimeSpan OnlineLease { get; set; } = TimeSpan.FromMinutes(3);

    internal IEnumerable<string> Validate()
    {
        if (MaxMembers < 2)
        {
            yield return $"{SectionName}:MaxMembers must be at least 2.";
        }

        if (MaxMembersPerRequest < 1)
        {
            yield return $"{SectionName}:MaxMembersPerRequest must be at least 1.";
        }

        if (OnlineLease < TimeSpan.FromSeconds(3))
        {
            yield return $"{SectionName}:OnlineLease must be at least 3 seconds.";
        }
    }
}
