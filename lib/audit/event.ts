import type { DynamoDBRecord } from 'aws-lambda';
import { fromImage, type Plain } from '../streams/attribute-values.js';
import { auditedFields, type EntityRule, ruleOf } from './entities.js';

/** One field's change: absent on one side is `null`. */
export interface FieldChange {
  before: Plain;
  after: Plain;
}

/** What one stream record says about an audited object, before it is placed in the chain. */
export interface AuditDraft {
  /** The stream record's `eventID`: the same record replayed is the same event. */
  source_id: string;
  /** When the change was made (the stream record's creation time). */
  at: string;
  actor_key_id: string;
  action: string;
  target_type: string;
  target_id: string;
  provider_id: string | null;
  changes: Record<string, FieldChange>;
  request_id: string | null;
  source_ip: string | null;
}

/** Actor of TTL deletes (DynamoDB marks them with this service principal). */
export const TTL_ACTOR = 'system:ttl';
/** Actor of deletes that no request stamped (cleanup after a failed create, cascades). */
export const SYSTEM_ACTOR = 'system';

type Image = { [key: string]: Plain };
const text = (value: Plain | undefined): string | null =>
  typeof value === 'string' && value !== '' ? value : null;

/** The allow-listed fields whose values differ between two images (canonical JSON comparison). */
export function diffFields(
  rule: EntityRule,
  oldImage?: Image,
  newImage?: Image,
): Record<string, FieldChange> {
  const before = auditedFields(rule, oldImage);
  const afterFields = auditedFields(rule, newImage);
  const changes: Record<string, FieldChange> = {};
  for (const name of rule.fields) {
    const b = before[name] ?? null;
    const a = afterFields[name] ?? null;
    if (JSON.stringify(b) !== JSON.stringify(a)) changes[name] = { before: b, after: a };
  }
  return changes;
}

/** The action name: `<type>.created|updated|deleted|expired`, or a more telling verb. */
function actionOf(type: string, eventName: string, changes: Record<string, FieldChange>, ttl: boolean) {
  if (type === 'access') return 'access.denied';
  if (type === 'cache') return 'cache.purged';
  if (eventName === 'INSERT') return `${type}.created`;
  if (eventName === 'REMOVE') return `${type}.${ttl ? 'expired' : 'deleted'}`;
  if (type === 'api_key' && changes.status?.after === 'revoked') return 'api_key.revoked';
  if (type === 'api_key' && changes.last_rotated_at) return 'api_key.rotated';
  if (type === 'credential' && changes.revoked_at?.after) return 'credential.revoked';
  if (type === 'credential' && changes.active_version) return 'credential.rotated';
  if (type === 'incident' && changes.status) return `incident.${String(changes.status.after)}`;
  if (type === 'incident' && Object.keys(changes).length === 1 && changes.timeline) return 'incident.noted';
  return `${type}.updated`;
}

/** Who made a change: the actor the write recorded on the item (see `lib/services/actor.ts`). */
function actorOf(record: DynamoDBRecord, oldImage?: Image, newImage?: Image) {
  if (record.eventName !== 'REMOVE') {
    return {
      actor_key_id: text(newImage?.last_actor) ?? SYSTEM_ACTOR,
      request_id: text(newImage?.last_request_id),
      source_ip: text(newImage?.last_source_ip),
    };
  }
  if (record.userIdentity?.principalId === 'dynamodb.amazonaws.com') {
    return { actor_key_id: TTL_ACTOR, request_id: null, source_ip: null };
  }
  // A delete is attributed only if the deleting request stamped the item first (`stampForDelete`).
  const stamped =
    text(oldImage?.delete_request_id) !== null && oldImage?.delete_request_id === oldImage?.last_request_id;
  if (!stamped) return { actor_key_id: SYSTEM_ACTOR, request_id: null, source_ip: null };
  return {
    actor_key_id: text(oldImage?.last_actor) ?? SYSTEM_ACTOR,
    request_id: text(oldImage?.last_request_id),
    source_ip: text(oldImage?.last_source_ip),
  };
}

function atOf(record: DynamoDBRecord, nowMs: number): string {
  const seconds = Number(record.dynamodb?.ApproximateCreationDateTime);
  return new Date(Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : nowMs).toISOString();
}

/**
 * Reads one stream record into an audit draft, or `undefined` when it is not audited: an item of
 * a type the trail does not watch, or an update that changed no allow-listed field (usage touches,
 * health status, a delete stamp). An unreadable image still yields an event (`<type>.unreadable`),
 * so a change is never dropped silently.
 */
export function draftOf(record: DynamoDBRecord, nowMs: number): AuditDraft | undefined {
  const pk = String(record.dynamodb?.Keys?.pk?.S ?? '');
  const sk = String(record.dynamodb?.Keys?.sk?.S ?? '');
  const rule = ruleOf(pk, sk);
  if (!rule || !record.eventName) return undefined;
  if (rule.insertsOnly && record.eventName !== 'INSERT') return undefined;
  const base = { source_id: String(record.eventID ?? ''), at: atOf(record, nowMs), target_type: rule.type };
  let oldImage: Image | undefined;
  let newImage: Image | undefined;
  try {
    oldImage = record.dynamodb?.OldImage ? fromImage(record.dynamodb.OldImage) : undefined;
    newImage = record.dynamodb?.NewImage ? fromImage(record.dynamodb.NewImage) : undefined;
  } catch {
    const id = rule.id({ pk, sk });
    return {
      ...base,
      actor_key_id: SYSTEM_ACTOR,
      action: `${rule.type}.unreadable`,
      target_id: id,
      provider_id: null,
      changes: {},
      request_id: null,
      source_ip: null,
    };
  }
  const image = { pk, sk, ...(newImage ?? oldImage ?? {}) };
  const changes = diffFields(rule, oldImage, newImage);
  if (record.eventName === 'MODIFY' && Object.keys(changes).length === 0) return undefined;
  const ttl = record.userIdentity?.principalId === 'dynamodb.amazonaws.com';
  return {
    ...base,
    ...actorOf(record, oldImage, newImage),
    action: actionOf(rule.type, record.eventName, changes, ttl),
    target_id: rule.id(image),
    provider_id: rule.providerId(image),
    changes,
  };
}
