using ImOrleans.Client;

namespace ImOrleans.LoadTest.Scenarios;

/// <summary>Mints every user's token before the clock starts, so signing JWTs is not counted as login cost.</summary>
internal static class TokenMint
{
    public static string[] MintAll(LoadTestSettings settings, int count)
    {
        var tokens = new string[count];
        Parallel.For(0, count, i => tokens[i] = DevTokens.Mint(settings.UserId(i), settings.SigningKey, lifetime: TimeSpan.FromHours(2)));
        return tokens;
    }
}
