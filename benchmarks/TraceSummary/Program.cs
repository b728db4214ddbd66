using ImOrleans.TraceSummary;

// Reads a dotnet-trace file taken with `--profile gc-verbose` and prints what the collector did in it (each
// collection's pause and promoted bytes) and what was allocated, by type; with --stacks, where given types were
// allocated. See docs/benchmarks.md, "Tools".
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("""
        usage: ImOrleans.TraceSummary TRACE.nettrace [--top N] [--stacks TYPE[,TYPE...]] [--depth N]
          --top N        allocation types to list (default 30)
          --stacks T,..  for these full type names, the allocating call stacks (sampled), most bytes first
          --depth N      frames per stack (default 8)
        """);
    return args.Length == 0 ? 2 : 0;
}

var path = args[0];
var top = IntOption(args, "--top", 30);
var depth = IntOption(args, "--depth", 8);
var stackTypes = StringOption(args, "--stacks")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

var summary = TraceReader.Read(path, stackTypes ?? [], depth);
Report.Collections(summary);
Report.Allocations(summary, top);
if (stackTypes is not null)
{
    Report.Stacks(summary);
}

return 0;

static int IntOption(string[] args, string name, int fallback) =>
    StringOption(args, name) is { } value ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : fallback;

static string? StringOption(string[] args, string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
