using ImOrleans.Grains;
using ImOrleans.Protocol;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.EdgeGateway.Tests;

/// <summary>The edge's 1:1 sends waiting for their conversations' answers (<see cref="SendAnswers"/>).</summary>
public sealed class SendAnswersTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly ManualClock _clock = new();

    [Fact]
    public async Task Each_send_gets_its_own_answer_by_token_and_a_late_or_repeated_answer_changes_nothing()
    {
        var answers = new SendAnswers(_clock);
        var (first, second) = (new RecordedSend(), new RecordedSend());
        var firstToken = answers.Expect(first);
        var secondToken = answers.Expect(second);
        Assert.NotEqual(firstToken, secondToken);

        answers.Answer(secondToken, new SendResult { Seq = 8 });
        answers.Refuse(firstToken, ErrorCode.NotMember, "not a member");
        answers.Answer(secondToken, new SendResult { Seq = 9 });
        answers.Answer(firstToken, new SendResult { Seq = 10 });

        Assert.Equal((8, ErrorCode.None), await second.Answer);
        Assert.Equal((0, ErrorCode.NotMember), await first.Answer);
        Assert.Equal(1, second.Told);
        Assert.Equal(1, first.Told);
        Assert.Equal(0, answers.Count);
    }

    [Fact]
    public async Task A_send_not_answered_within_the_timeout_is_answered_unavailable_and_a_newer_one_waits_on()
    {
        var answers = new SendAnswers(_clock);
        var (old, newer) = (new RecordedSend(), new RecordedSend());
        answers.Expect(old);
        _clock.Advance(TimeSpan.FromSeconds(20));
        var newerToken = answers.Expect(newer);

        answers.Expire(_clock.GetTimestamp(), Timeout);
        Assert.Equal(0, old.Told);
        _clock.Advance(TimeSpan.FromSeconds(11));
        answers.Expire(_clock.GetTimestamp(), Timeout);

        Assert.Equal((0, ErrorCode.Unavailable), await old.Answer);
        Assert.Equal(0, newer.Told);
        answers.Answer(newerToken, new SendResult { Seq = 3 });
        Assert.Equal((3, ErrorCode.None), await newer.Answer);
    }

    [Fact]
    public async Task After_a_silo_died_every_send_waiting_is_answered_unavailable_so_its_client_resends()
    {
        var answers = new SendAnswers(_clock);
        RecordedSend[] waiting = [new(), new(), new()];
        foreach (var send in waiting)
        {
            answers.Expect(send);
        }

        answers.GiveUpAll();

        foreach (var send in waiting)
        {
            Assert.Equal((0, ErrorCode.Unavailable), await send.Answer);
        }

        Assert.Equal(0, answers.Count);
    }

    /// <summary>A send that records what it was told: the answer's seq, or the refusal's code.</summary>
    private sealed class RecordedSend : AwaitedSend
    {
        private readonly TaskCompletionSource<(long, ErrorCode)> _answer = new();
        private int _told;

        public Task<(long Seq, ErrorCode Code)> Answer => _answer.Task.WaitAsync(Deadline);

        public int Told => Volatile.Read(ref _told);

        public override void Answered(SendResult result)
        {
            Interlocked.Increment(ref _told);
            _answer.TrySetResult((result.Seq, ErrorCode.None));
        }

        public override void Refused(ErrorCode code, string reason)
        {
            Interlocked.Increment(ref _told);
            _answer.TrySetResult((0, code));
        }
    }

    /// <summary>A clock the test moves; timestamps in ticks.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _now = TimeSpan.TicksPerDay;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Volatile.Read(ref _now);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _now, by.Ticks);
    }
}
