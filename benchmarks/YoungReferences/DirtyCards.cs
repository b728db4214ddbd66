using Microsoft.Diagnostics.Runtime;

namespace ImOrleans.YoungReferences;

/// <summary>
/// The cards set in the collector's card table at the dump, and the older objects lying on them: what the next gen0
/// collection will walk. A card is set by the write barrier when an older object is written with a reference to a
/// younger one, and stays set until a collection finds nothing young through it, so this sees the writes since the
/// last collection even when the young reference has since been overwritten (a "stale" card), which a scan of the
/// references alone cannot.
/// </summary>
internal sealed class DirtyCards
{
    // Each 32-bit word of the card table covers 32 cards; the table the runtime hands out is biased so that it is
    // indexed with the absolute card number.
    private const int CardsPerWord = 32;
    private const int WordBytes = 4;
    private const int ChunkWords = 4096;

    public const string OtherPart = "other (runtime and library objects no part's name says)";

    private readonly IMemoryReader _memory;
    private readonly ulong _table;
    private readonly Dictionary<ulong, uint[]> _chunks = [];

    private DirtyCards(IMemoryReader memory, ulong table)
    {
        _memory = memory;
        _table = table;
    }

    public long SetCards { get; private set; }
    public long SetCardsWithYoungReference { get; private set; }
    public long ObjectsOnSetCards { get; private set; }
    public Dictionary<string, CardHolderType> ByType { get; } = new(StringComparer.Ordinal);

    /// <summary>Each set card counted once, for the part of the server its first recognised object belongs to.</summary>
    public Dictionary<string, long> CardsByPart { get; } = new(StringComparer.Ordinal);

    /// <summary>Which part of the server a type belongs to, by its name (generic arguments included).</summary>
    public static string PartOf(string type) =>
        type.Contains("ImOrleans.EdgeGateway", StringComparison.Ordinal) || type.Contains("Kestrel", StringComparison.Ordinal)
            || type.Contains("System.IO.Pipelines", StringComparison.Ordinal) || type.Contains("System.Threading.Channels", StringComparison.Ordinal)
            || type.Contains("System.Net.Sockets", StringComparison.Ordinal)
            ? "edge sessions (ours, Kestrel's sockets, pipes, channels)"
            : type.Contains("ImOrleans.", StringComparison.Ordinal) ? "our grains and store"
            : type.Contains("Orleans", StringComparison.Ordinal) ? "Orleans runtime (activations, messages, directory)"
            : OtherPart;

    /// <summary>Null when the runtime did not say where its card table is.</summary>
    public static DirtyCards? Scan(ClrHeap heap, IMemoryReader memory, int cardShift)
    {
        var table = heap.SubHeaps.Select(h => h.CardTable).FirstOrDefault(t => t != 0);
        if (table == 0)
        {
            return null;
        }

        var cards = new DirtyCards(memory, table);
        var gen0 = HeapScan.Ranges(heap, s => s.Generation0);
        var cardsWithYoung = new HashSet<ulong>();
        var setCards = new Dictionary<ulong, string>();
        foreach (var segment in heap.Segments)
        {
            if (segment.Kind == GCSegmentKind.Frozen)
            {
                continue;
            }

            foreach (var obj in segment.EnumerateObjects(carefully: false))
            {
                if (!obj.IsValid || obj.IsFree || HeapScan.In(gen0, obj.Address))
                {
                    continue;
                }

                var first = obj.Address >> cardShift;
                var last = (obj.Address + obj.Size - 1) >> cardShift;
                CardHolderType? type = null;
                for (var card = first; card <= last; card++)
                {
                    if (!cards.IsSet(card))
                    {
                        continue;
                    }

                    if (type is null)
                    {
                        var name = obj.Type?.Name ?? "?";
                        if (!cards.ByType.TryGetValue(name, out type))
                        {
                            cards.ByType[name] = type = new CardHolderType(name);
                        }

                        type.Objects++;
                        cards.ObjectsOnSetCards++;
                    }

                    type.Cards.Add(card);
                    if (!setCards.TryGetValue(card, out var owner) || owner == OtherPart)
                    {
                        setCards[card] = type.Part;
                    }
                }

                if (type is null)
                {
                    continue;
                }

                foreach (var reference in obj.EnumerateReferencesWithFields(carefully: false, considerDependantHandles: false))
                {
                    var card = (obj.Address + (ulong)reference.Offset) >> cardShift;
                    if (HeapScan.In(gen0, reference.Object.Address) && cards.IsSet(card))
                    {
                        type.CardsWithYoungReference.Add(card);
                        cardsWithYoung.Add(card);
                    }
                }
            }
        }

        cards.SetCards = setCards.Count;
        foreach (var part in setCards.Values)
        {
            cards.CardsByPart[part] = cards.CardsByPart.GetValueOrDefault(part) + 1;
        }

        cards.SetCardsWithYoungReference = cardsWithYoung.Count;
        return cards;
    }

    public bool IsSet(ulong card)
    {
        var word = card / CardsPerWord;
        var chunkIndex = word / ChunkWords;
        if (!_chunks.TryGetValue(chunkIndex, out var chunk))
        {
            chunk = new uint[ChunkWords];
            var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(chunk.AsSpan());
            var read = _memory.Read(_table + chunkIndex * ChunkWords * WordBytes, bytes);
            if (read < bytes.Length)
            {
                bytes[read..].Clear();
            }

            _chunks[chunkIndex] = chunk;
        }

        return (chunk[(int)(word % ChunkWords)] & (1u << (int)(card % CardsPerWord))) != 0;
    }
}

internal sealed class CardHolderType(string name)
{
    public string Name { get; } = name;
    public string Part { get; } = DirtyCards.PartOf(name);
    public long Objects { get; set; }
    public HashSet<ulong> Cards { get; } = [];
    public HashSet<ulong> CardsWithYoungReference { get; } = [];
}
