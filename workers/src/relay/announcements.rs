//! The selection announcement outbox: participants not yet announced on
//! `participants.selected` (one message per selected or promoted person, for
//! notifying them).

use chrono::NaiveDate;
use shared::amqp::Queue;
use shared::messages::ParticipantSelected;
use sqlx::PgPool;
use uuid::Uuid;

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
        let rows: Vec<Unannounced> = sqlx::query_as(
            "SELECT p.participant_id, p.wave_id, p.nik, p.stratum, p.rank, p.registration_id, \
                    r.full_name, r.email, r.phone, p.card_number, p.purchase_deadline, \
                    revoked.nik AS replaces_nik, p.pid \
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
        rows.into_iter().map(Unannounced::into_row).collect()
    }

    async fn mark_sent(&self, keys: &[i64]) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE participants SET announced_at = now() WHERE participant_id = ANY($1)")
            .bind(keys)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// A participant to announce, as stored; every field of an eligible
/// registration is present (the validator rejects one that lacks any).
#[derive(sqlx::FromRow)]
struct Unannounced {
    participant_id: i64,
    wave_id: i32,
    nik: String,
    stratum: String,
    rank: i32,
    registration_id: Uuid,
    full_name: String,
    email: String,
    phone: String,
    card_number: String,
    purchase_deadline: NaiveDate,
    replaces_nik: Option<String>,
    /// A v2 wave's participant's pseudonymous id.
    pid: Option<String>,
}

impl Unannounced {
    /// The message, serialized from its contract type.
    fn into_row(self) -> Result<OutboxRow, sqlx::Error> {
        let message = ParticipantSelected {
            wave_id: u32::try_from(self.wave_id).map_err(|e| sqlx::Error::Decode(e.into()))?,
            nik: self.nik,
            stratum: self.stratum,
            rank: u32::try_from(self.rank).map_err(|e| sqlx::Error::Decode(e.into()))?,
            registration_id: self.registration_id,
            full_name: self.full_name,
            email: self.email,
            phone: self.phone,
            card_number: self.card_number,
            purchase_deadline: self.purchase_deadline,
            replaces_nik: self.replaces_nik,
            pid: self.pid,
        };
        Ok(OutboxRow {
            key: self.participant_id,
            message_id: self.registration_id.to_string(),
            body: serde_json::to_vec(&message).map_err(|e| sqlx::Error::Encode(e.into()))?,
        })
    }
}
