using Microsoft.Diagnostics.Runtime;

namespace ImOrleans.YoungReferences;

/// <summary>
/// The gen0 objects a gen0 collection taken at the dump would keep, by type: those reachable from a root or from any
/// older object (the collector treats every older object as live and finds its young references through the cards),
/// following references within gen0. This is what that collection would promote, and its size is what the work
/// after marking grows with.
/// </summary>
internal sealed class Survivors
{
    public long Objects { get; private set; }
    public long Bytes { get; private set; }
    public Dictionary<string, (long Objects, long Bytes)> ByType { get; } = new(StringComparer.Ordinal);

    public static Survivors Find(ClrHeap heap, HeapScan scan)
    {
        var gen0 = HeapScan.Ranges(heap, s => s.Generation0);
        var seen = new HashSet<ulong>();
        var pending = new Stack<ulong>();

        void Reach(ulong address)
        {
            if (address != 0 && HeapScan.In(gen0, address) && seen.Add(address))
            {
                pending.Push(address);
            }
        }

        foreach (var root in heap.EnumerateRoots())
        {
            Reach(root.Object.Address);
        }

        foreach (var address in scan.Gen0ReferencedFromOlder)
        {
            Reach(address);
        }

        var survivors = new Survivors();
        while (pending.TryPop(out var address))
        {
            var obj = heap.GetObject(address);
            if (!obj.IsValid)
            {
                continue;
            }

            survivors.Objects++;
            survivors.Bytes += (long)obj.Size;
            var name = obj.Type?.Name ?? "?";
            var (objects, bytes) = survivors.ByType.GetValueOrDefault(name);
            survivors.ByType[name] = (objects + 1, bytes + (long)obj.Size);
            foreach (var child in obj.EnumerateReferenceAddresses(carefully: false, considerDependantHandles: true))
            {
                Reach(child);
            }
        }

        return survivors;
    }
}
