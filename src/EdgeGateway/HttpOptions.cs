namespace ImOrleans.EdgeGateway;

/// <summary>
/// The HTTP listener of a silo (health check, metrics, navigation, server-side APIs) or of a standalone edge (health
/// check and metrics), bound from the section <c>Http</c>.
/// </summary>
public sealed class HttpOptions
{
    public const string SectionName = "Http";

    /// <summary>Address to bind. Default 127.0.0.1.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>Port. Default 7180 (a standalone edge's edgesettings.json says 7181); 0 picks a free port (tests).</summary>
    public int Port { get; set; } = 7180;

    public IEnumerable<string> Validate()
    {
        if (!System.Net.IPAddress.TryParse(ListenAddress, out _))
        {
            yield return $"Http:ListenAddress '{ListenAddress}' is not an IP address.";
        }

        if (Port is < 0 or > 65535)
        {
            yield return $"Http:Port {Port} is outside 0-65535.";
        }
    }
}
