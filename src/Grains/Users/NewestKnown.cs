namespace ImOrleans.Grains;

/// <summary>
/// The newest seq a user grain knows of in one conversation, and that message's server time (which orders the
/// conversation list). Values, not the message: a grain that held each conversation's newest message kept a young
/// object referenced from an old one for every conversation in use, and the collector traced them all at every
/// collection (docs/benchmarks.md, session 13, item 9). The list reads the messages it shows from the store.
/// </summary>
internal readonly record struct NewestKnown(long Seq, long ServerTimeMs);
