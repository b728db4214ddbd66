namespace ImOrleans.Integration.Tests;

/// <summary>
/// A test that needs the real redis-server and PostgreSQL. Without them it is skipped, with the reason shown, on a
/// developer's machine; under CI (CI=true) it runs and fails with that reason instead, so CI can never pass by
/// skipping it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class IntegrationFactAttribute : FactAttribute
{
    public IntegrationFactAttribute()
    {
        if ((TestServices.Redis is null || TestServices.Postgres is null) && !TestServices.InCi)
        {
            Skip = TestServices.MissingReason;
        }
    }
}
