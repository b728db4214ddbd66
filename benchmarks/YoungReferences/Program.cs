using System.Diagnostics;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Runtime;

// Which old objects hold references to young ones, and so what a gen0 collection's card marking has to walk.
// Usage: ImOrleans.YoungReferences (--pid N | --dump FILE) [--top N] [--keep]
// With --pid it writes a heap dump of the running process first (the process stops for the few seconds that takes).
namespace ImOrleans.YoungReferences;

internal static class Program
{
    // A card covers 256 bytes on 64-bit: the unit the write barrier marks and the collector scans.
    private const int CardShift = 8;

    public static int Main(string[] args)
    {
        int? pid = null;
        string? dump = null;
        var top = 25;
        var keep = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--pid": pid = int.Parse(args[++i]); break;
                case "--dump": dump = args[++i]; break;
                case "--top": top = int.Parse(args[++i]); break;
                case "--keep": keep = true; break;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}; usage: (--pid N | --dump FILE) [--top N] [--keep]");
                    return 2;
            }
        }

        if (pid is null == dump is null)
        {
            Console.Error.WriteLine("give exactly one of --pid N or --dump FILE");
            return 2;
        }

        var written = false;
        if (pid is { } id)
        {
            dump = Path.Combine(Path.GetTempPath(), $"young-references-{id}-{DateTime.UtcNow:HHmmss}.dmp");
            var watch = Stopwatch.StartNew();
            new DiagnosticsClient(id).WriteDump(DumpType.WithHeap, dump);
            written = true;
            Console.WriteLine($"dump: {dump} written in {watch.Elapsed.TotalSeconds:F1} s");
        }

        try
        {
            using var target = DataTarget.LoadDump(dump!);
            // The dump names the runtime's debugging library by a path ClrMD does not resolve here; this program runs on
            // the same shared runtime as the process it dumps, so its own copy is the matching one.
            var dac = Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "libmscordaccore.so");
            using var runtime = File.Exists(dac) ? target.ClrVersions[0].CreateRuntime(dac, ignoreMismatch: true) : target.ClrVersions[0].CreateRuntime();
            if (!runtime.Heap.CanWalkHeap)
            {
                Console.WriteLine("warning: the dump was taken during a collection, so the heap and its cards are half-way; take another");
            }

            var scan = HeapScan.Scan(runtime.Heap, CardShift);
            Report(scan, top);
            Report(Survivors.Find(runtime.Heap, scan), scan, top);
            var cards = DirtyCards.Scan(runtime.Heap, target.DataReader, CardShift);
            if (cards is null)
            {
                Console.WriteLine();
                Console.WriteLine("the runtime gave no card table address; set cards not read");
            }
            else
            {
                Report(cards, scan, top);
            }
        }
        finally
        {
            if (written && !keep)
            {
                File.Delete(dump!);
            }
        }

        return 0;
    }

    private static void Report(HeapScan scan, int top)
    {
        Console.WriteLine($"gen0: {scan.YoungObjects:N0} objects, {scan.YoungBytes / 1024.0 / 1024.0:F1} MiB; gen1: {scan.Gen1Objects:N0} objects, {scan.Gen1Bytes / 1024.0 / 1024.0:F1} MiB; older: {scan.OldObjects:N0} objects");
        Print("older objects (gen1, gen2, large, pinned) holding a gen0 reference", scan.IntoGen0, top);
        Print("gen2, large and pinned objects holding a gen1 reference (cards a gen0 collection keeps set)", scan.Gen2IntoGen1, top);
    }

    private static void Report(Survivors survivors, HeapScan scan, int top)
    {
        Console.WriteLine();
        Console.WriteLine($"gen0 objects a gen0 collection now would keep (promote): {survivors.Objects:N0} objects, {survivors.Bytes / 1024.0:N0} KiB of the {scan.YoungBytes / 1024.0 / 1024.0:F1} MiB in gen0");
        Console.WriteLine($"{"KiB",9} {"objects",9}  type");
        foreach (var (name, (objects, bytes)) in survivors.ByType.OrderByDescending(t => t.Value.Bytes).Take(top))
        {
            Console.WriteLine($"{bytes / 1024.0,9:N0} {objects,9:N0}  {name}");
        }
    }

    private static void Report(DirtyCards cards, HeapScan scan, int top)
    {
        // Every reference an older object holds into gen0 sits on a set card, unless the table was misread.
        var holding = scan.IntoGen0.ByType.Values.SelectMany(t => t.Cards).Distinct().ToList();
        var holdingSet = holding.Count(cards.IsSet);
        Console.WriteLine();
        Console.WriteLine($"set cards in older generations: {cards.SetCards:N0}, of which {cards.SetCardsWithYoungReference:N0} hold a gen0 reference now; {cards.ObjectsOnSetCards:N0} objects lie on them");
        Console.WriteLine($"check: {holdingSet:N0} of the {holding.Count:N0} cards with a gen0 reference are set");
        foreach (var (part, count) in cards.CardsByPart.OrderByDescending(p => p.Value))
        {
            Console.WriteLine($"{count,7:N0}  {part}");
        }

        Console.WriteLine($"{"cards",7} {"young",7} {"objects",8}  type of the objects on set cards");
        foreach (var type in cards.ByType.Values.OrderByDescending(t => t.Cards.Count).Take(top))
        {
            Console.WriteLine($"{type.Cards.Count,7:N0} {type.CardsWithYoungReference.Count,7:N0} {type.Objects,8:N0}  {type.Name}");
        }
    }

    private static void Print(string title, Tally tally, int top)
    {
        Console.WriteLine();
        Console.WriteLine($"{title}: {tally.Holders:N0} holders, {tally.References:N0} references, {tally.Cards:N0} cards");
        Console.WriteLine($"{"cards",7} {"holders",8} {"refs",8}  holder type -> referenced types (refs)");
        foreach (var type in tally.ByType.Values.OrderByDescending(t => t.Cards.Count).ThenByDescending(t => t.References).Take(top))
        {
            var targets = string.Join(", ", type.TargetTypes.OrderByDescending(y => y.Value).Take(3).Select(y => $"{y.Key} ({y.Value:N0})"));
            Console.WriteLine($"{type.Cards.Count,7:N0} {type.Holders,8:N0} {type.References,8:N0}  {type.Name} -> {targets}");
        }
    }
}
