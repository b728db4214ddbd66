using System.Buffers;

namespace ImOrleans.LoadTest.Wire;

/// <summary>A reusable, growable output buffer: frames are written into it and sent with one socket call.</summary>
internal sealed class SendBuffer(int initialSize) : IBufferWriter<byte>
{
    private byte[] _buffer = new byte[initialSize];

    public int Written { get; private set; }

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, Written);

    public void Clear() => Written = 0;

    public void Advance(int count) => Written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(Written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(Written);
    }

    private void Ensure(int sizeHint)
    {
        var needed = Written + Math.Max(sizeHint, 1);
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }
    }
}
