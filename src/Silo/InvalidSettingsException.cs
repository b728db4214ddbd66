namespace ImOrleans.Silo;

/// <summary>The configuration cannot start a server; <see cref="Problems"/> has one readable line per setting.</summary>
public sealed class InvalidSettingsException(IReadOnlyList<string> problems)
    : Exception("Invalid settings:\n  " + string.Join("\n  ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
