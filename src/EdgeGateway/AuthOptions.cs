namespace ImOrleans.EdgeGateway;

/// <summary>
/// How login tokens are validated, bound from the configuration section <c>Auth</c>. Tokens are JWTs
/// signed with HS256 by the app's own login system; the "sub" claim is the user id.
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>The development key shipped in appsettings.json. The edge logs a warning when it is in use.</summary>
    public const string DevelopmentSigningKey = "imorleans-development-signing-key-change-me-0123456789";

    /// <summary>HS256 key shared with the login system (at least 32 characters). Required.</summary>
    public string SigningKey { get; set; } = "";

    /// <summary>Expected "iss" claim. Default "imorleans-dev".</summary>
    public string Issuer { get; set; } = "imorleans-dev";

    /// <summary>Expected "aud" claim. Default "imorleans".</summary>
    public string Audience { get; set; } = "imorleans";

    /// <summary>Clock skew tolerated on "exp"/"nbf". Default 30 s.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    internal IEnumerable<string> Validate()
    {
        if (SigningKey.Length < 32)
        {
            yield return "Auth:SigningKey must be set to a key of at least 32 characters (HS256).";
        }

        if (string.IsNullOrWhiteSpace(Issuer) || string.IsNullOrWhiteSpace(Audience))
        {
            yield return "Auth:Issuer and Auth:Audience must not be empty.";
        }
    }
}
