using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ImOrleans.EdgeGateway;

/// <summary>Checks a login token: HS256 signature, issuer, audience, lifetime, and that "sub" is the user logging in (R3).</summary>
internal sealed class LoginTokenValidator
{
    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters _parameters;

    public LoginTokenValidator(IOptions<AuthOptions> options, TimeProvider time)
    {
        var auth = options.Value;
        _parameters = new TokenValidationParameters
        {
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(auth.SigningKey)),
            ValidIssuer = auth.Issuer,
            ValidAudience = auth.Audience,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ClockSkew = auth.ClockSkew,
            RequireExpirationTime = true,
            LifetimeValidator = (notBefore, expires, _, p) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return (notBefore is null || notBefore.Value - p.ClockSkew <= now)
                    && expires is not null && now <= expires.Value + p.ClockSkew;
            },
        };
    }

    /// <summary>Null when the token is good for <paramref name="userId"/>, else why not.</summary>
    public async ValueTask<string?> ValidateAsync(string token, string userId)
    {
        if (string.IsNullOrEmpty(token))
        {
            return "token is missing";
        }

        var result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid)
        {
            return result.Exception switch
            {
                SecurityTokenExpiredException => "token has expired",
                SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "token signature is invalid",
                SecurityTokenInvalidIssuerException => "token issuer is not accepted",
                SecurityTokenInvalidAudienceException => "token audience is not accepted",
                SecurityTokenInvalidLifetimeException => "token is expired or not yet valid",
                _ => "token is malformed or invalid",
            };
        }

        var subject = result.ClaimsIdentity.FindFirst(JwtRegisteredClaimNames.Sub)?.Value
            ?? result.ClaimsIdentity.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value;
        return subject == userId ? null : "token was issued for another user";
    }
}
