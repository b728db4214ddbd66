namespace ImOrleans.Grains;

[GenerateSerializer, Immutable, Alias("ImOrleans.RevokeResult")]
public sealed record RevokeResult
{
    /// <summary>The seq of the REVOKE message; 0 when the message had been revoked already.</summary>
    [Id(0)] public long RevokeSeq { get; init; }
}
