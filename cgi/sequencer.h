/*
 * sequencer.h - goldwatch-api's one numberer of events. A worker whose
 * commit queued events (event_queue) does not number them on its own
 * connection: it wakes this thread and waits until a step that started
 * after its commit is done. One step (events_sequence_step, migration
 * 0033) moves the queue of every worker that committed meanwhile, so
 * under load a move carries many transactions' events, and the workers'
 * connections do one statement fewer per change. As before, when the API
 * answers a change its events are numbered (or being numbered by another
 * host's sequencer, which holds the events lock and moves them next).
 * Every second without a wake-up it steps anyway: events a killed writer
 * left are numbered within the second.
 */
#ifndef GW_SEQUENCER_H
#define GW_SEQUENCER_H

#include "config.h"

/* Starts the thread with its own connection, and hands it the numbering
 * (events_publish_by). 0, or -1 when the thread cannot start (the workers
 * then number on their own connections). */
int sequencer_start(const struct config *cfg);
/* After the workers stopped: a last step, then the thread ends. */
void sequencer_stop(void);

#endif
