using ImOrleans.Protocol;

namespace ImOrleans.LoadTest.Scenarios;

/// <summary>
/// Who talks to whom: each user gets <c>peers</c> distinct contacts at random (every other user when 0 or when
/// there are too few users). A user's sends go to its contacts; the contacts receive. With a bounded contact list
/// the run exercises a realistic number of conversations instead of activating a new one per message.
/// </summary>
internal static class Contacts
{
    /// <summary>Calls <paramref name="link"/>(sender, receiver, conversationId) once per (user, contact).</summary>
    public static void Build(LoadTestSettings settings, int users, Action<int, int, string> link, int seed = 0)
    {
        var random = seed == 0 ? new Random() : new Random(seed);
        var wanted = settings.Peers <= 0 ? users - 1 : Math.Min(settings.Peers, users - 1);
        var chosen = new HashSet<int>();
        for (var i = 0; i < users; i++)
        {
            chosen.Clear();
            if (wanted == users - 1)
            {
                for (var j = 0; j < users; j++)
                {
                    if (j != i)
                    {
                        chosen.Add(j);
                    }
                }
            }
            else
            {
                while (chosen.Count < wanted)
                {
                    var j = random.Next(users);
                    if (j != i)
                    {
                        chosen.Add(j);
                    }
                }
            }

            foreach (var j in chosen)
            {
                link(i, j, Identifiers.SingleConversation(settings.UserId(i), settings.UserId(j)));
            }
        }
    }
}
