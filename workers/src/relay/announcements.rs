//! The selection announcement outbox: participants not yet announced on
//! `participants.selected` (one message per selected or promoted person, for
//! notifying them).

use shared::amqp::Queue;
use sqlx::PgPool;

use super::{OutboxRow, OutboxSource};

/// Publishes `participants.selected`.
#[derive(Debug, Clone)]
pub struct Announcements {
    pub pool: PgPool,
}

impl OutboxSource for Announcements {
    fn queue(&self) -> Queue {
        Queue::ParticipantsSelected
    }

    fn name(&self) -> &'static str {
        "participants-selected"
    }

    async fn fetch(&self, after: i64, limit: i64) -> Result<Vec<OutboxRow>, sqlx::Error> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT p.participant_id, p.registration_id::text, \
                    jsonb_strip_nulls(jsonb_build_object( \
                      'wave_id', p.wave_id, 'nik', p.nik, 'stratum', p.stratum, 'rank', p.rank, \
                      'registration_id', p.registration_id, 'full_name', r.full_name, \
                      'email', r.email, 'phone', r.phone, 'card_number', p.card_number, \
                      'purchase_deadline', p.purchase_deadline, 'replaces_nik', revoked.nik, \
                      'pid', p.pid))::text \
               FROM participants p \
               JOIN registrations r ON r.registration_id = p.registration_id \
               LEFT JOIN promotions pr ON pr.promoted_participant_id = p.participant_id \
               LEFT JOIN participants revoked ON revoked.participant_id = pr.revoked_participant_id \
              WHERE p.announced_at IS NULL AND p.participant_id > $1 \
              ORDER BY p.participant_id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(key, message_id, body)| OutboxRow {
                key,
                message_id,
                body: body.into_bytes(),
            })
            .collect())
    }

    async fn mark_sent(&self, keys: &[i64]) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE participants SET announced_at = now() WHERE participant_id = ANY($1)")
            .bind(keys)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
