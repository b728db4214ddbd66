using ImOrleans.LoadTest.Reports;

namespace ImOrleans.LoadTest.Scenarios;

/// <summary>A bounded load run: it stops by itself after its duration (plus connect and drain deadlines).</summary>
internal interface IScenario
{
    /// <summary>One line on where the run is, for the live view; called from another thread about once a second.</summary>
    string Status();

    Task<RunReport> RunAsync(CancellationToken cancellationToken);
}
