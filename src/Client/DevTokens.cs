using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ImOrleans.Client;

/// <summary>
/// Mints the HS256 tokens the development server accepts, standing in for the app's own login system (R3).
/// Never ship a signing key inside a client: this is for tests, the console client and load tests.
/// </summary>
public static class DevTokens
{
    /// <summary>The server's development signing key, used unless it is configured otherwise.</summary>
    public const string DevelopmentSigningKey = "imorleans-development-signing-key-change-me-0123456789";

    /// <summary>The issuer the development server expects.</summary>
    public const string DefaultIssuer = "imorleans-dev";

    /// <summary>The audience the development server expects.</summary>
    public const string DefaultAudience = "imorleans";

    /// <summary>
    /// A JWT with <c>sub</c> = <paramref name="userId"/>, <c>iss</c>, <c>aud</c>, <c>iat</c>, <c>nbf</c> and
    /// <c>exp</c>, signed with HMAC-SHA256 over the UTF-8 bytes of <paramref name="signingKey"/> (at least 32 bytes).
    /// <paramref name="lifetime"/> defaults to one hour; <paramref name="timeProvider"/> to the system clock.
    /// </summary>
    public static string Mint(
        string userId,
        string signingKey,
        string issuer = DefaultIssuer,
        string audience = DefaultAudience,
        TimeSpan? lifetime = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(signingKey);
        var now = (timeProvider ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, userId)]),
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? TimeSpan.FromHours(1)),
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>A <see cref="ImClientOptions.TokenProvider"/> that mints a fresh token for every connect round.</summary>
    public static Func<CancellationToken, ValueTask<string>> Provider(string userId, string signingKey = DevelopmentSigningKey) =>
        _ => ValueTask.FromResult(Mint(userId, signingKey));
}
