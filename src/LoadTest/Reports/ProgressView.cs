using ImOrleans.LoadTest.Scenarios;
using Spectre.Console;

namespace ImOrleans.LoadTest.Reports;

/// <summary>
/// Shows a scenario's status while it runs: a live line on a terminal, or a plain line every few seconds when the
/// output is a file or pipe (scripts).
/// </summary>
internal static class ProgressView
{
    public static async Task<RunReport> RunAsync(IAnsiConsole console, IScenario scenario, CancellationToken cancellationToken)
    {
        var run = scenario.RunAsync(cancellationToken);
        if (console.Profile.Capabilities.Interactive)
        {
            await console.Live(new Markup("starting"))
                .AutoClear(false)
                .StartAsync(async context =>
                {
                    while (!run.IsCompleted)
                    {
                        context.UpdateTarget(new Markup(Markup.Escape(scenario.Status())));
                        context.Refresh();
                        await Task.WhenAny(run, Task.Delay(1000, CancellationToken.None)).ConfigureAwait(false);
                    }

                    context.UpdateTarget(new Markup(Markup.Escape(scenario.Status())));
                }).ConfigureAwait(false);
        }
        else
        {
            var started = DateTime.UtcNow;
            while (!run.IsCompleted)
            {
                await Task.WhenAny(run, Task.Delay(5000, CancellationToken.None)).ConfigureAwait(false);
                if (!run.IsCompleted)
                {
                    console.WriteLine($"[{(DateTime.UtcNow - started).TotalSeconds,4:F0}s] {scenario.Status()}");
                }
            }
        }

        return await run.ConfigureAwait(false);
    }
}
