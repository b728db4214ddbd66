using Microsoft.Diagnostics.Runtime;

namespace ImOrleans.YoungReferences;

/// <summary>
/// One pass over a heap: the references older objects hold into gen0 (what the next gen0 collection must find through
/// the card table), and those gen2 objects hold into gen1 (cards a gen0 collection leaves set, so it walks them again
/// at every gen0 collection until gen1 is collected).
/// </summary>
internal sealed class HeapScan
{
    public long YoungObjects { get; private set; }
    public long YoungBytes { get; private set; }
    public long Gen1Objects { get; private set; }
    public long Gen1Bytes { get; private set; }
    public long OldObjects { get; private set; }
    public Tally IntoGen0 { get; } = new();
    public Tally Gen2IntoGen1 { get; } = new();

    /// <summary>Every gen0 object an older one references: with the roots, where a gen0 collection starts marking.</summary>
    public HashSet<ulong> Gen0ReferencedFromOlder { get; } = [];

    public static HeapScan Scan(ClrHeap heap, int cardShift)
    {
        var scan = new HeapScan();
        var gen0 = Ranges(heap, s => s.Generation0);
        var gen1 = Ranges(heap, s => s.Generation1);

        foreach (var obj in heap.EnumerateObjects())
        {
            if (!obj.IsValid || obj.IsFree)
            {
                continue;
            }

            if (In(gen0, obj.Address))
            {
                scan.YoungObjects++;
                scan.YoungBytes += (long)obj.Size;
                continue;
            }

            var isGen1 = In(gen1, obj.Address);
            if (isGen1)
            {
                scan.Gen1Objects++;
                scan.Gen1Bytes += (long)obj.Size;
            }
            else
            {
                scan.OldObjects++;
            }

            var seenGen0 = false;
            var seenGen1 = false;
            foreach (var reference in obj.EnumerateReferencesWithFields(carefully: false, considerDependantHandles: false))
            {
                var child = reference.Object.Address;
                var card = (obj.Address + (ulong)reference.Offset) >> cardShift;
                if (In(gen0, child))
                {
                    scan.IntoGen0.Add(obj, reference.Object, card, ref seenGen0);
                    scan.Gen0ReferencedFromOlder.Add(child);
                }
                else if (!isGen1 && In(gen1, child))
                {
                    scan.Gen2IntoGen1.Add(obj, reference.Object, card, ref seenGen1);
                }
            }
        }

        return scan;
    }

    public static MemoryRange[] Ranges(ClrHeap heap, Func<ClrSegment, MemoryRange> generation) =>
        heap.Segments.Select(generation).Where(r => r.Length > 0).OrderBy(r => r.Start).ToArray();

    public static bool In(MemoryRange[] ranges, ulong address)
    {
        foreach (var range in ranges)
        {
            if (range.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Holders of one kind of cross-generation reference, by the holder's type.</summary>
internal sealed class Tally
{
    public long Holders { get; private set; }
    public long References { get; private set; }
    public long Cards => ByType.Values.Sum(t => (long)t.Cards.Count);
    public Dictionary<string, HolderType> ByType { get; } = new(StringComparer.Ordinal);

    public void Add(ClrObject holder, ClrObject target, ulong card, ref bool holderCounted)
    {
        var name = holder.Type?.Name ?? "?";
        if (!ByType.TryGetValue(name, out var type))
        {
            ByType[name] = type = new HolderType(name);
        }

        if (!holderCounted)
        {
            holderCounted = true;
            type.Holders++;
            Holders++;
        }

        type.References++;
        References++;
        type.Cards.Add(card);
        var targetName = target.Type?.Name ?? "?";
        type.TargetTypes[targetName] = type.TargetTypes.GetValueOrDefault(targetName) + 1;
    }
}

internal sealed class HolderType(string name)
{
    public string Name { get; } = name;
    public long Holders { get; set; }
    public long References { get; set; }
    public HashSet<ulong> Cards { get; } = [];
    public Dictionary<string, long> TargetTypes { get; } = new(StringComparer.Ordinal);
}
