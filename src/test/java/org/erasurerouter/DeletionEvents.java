package org.erasurerouter;

/** Deletion events in the job-request format Sunbird's user service publishes. */
public final class DeletionEvents {
    private DeletionEvents() {}

    /** A delete-user event for {@code userId}; {@code userName} is PII that must never be logged. */
    public static String deleteUser(String userId, String userName, String organisationId) {
        long ets = System.currentTimeMillis();
        return """
                {"eid":"BE_JOB_REQUEST","ets":%d,"mid":"LP.%d.%s",
                 "actor":{"id":"Sunbird LMS Flink Job","type":"System"},
                 "context":{"pdata":{"id":"org.sunbird.platform","ver":"1.0"},"channel":"%s","env":"local"},
                 "object":{"id":"%s","type":"User"},
                 "edata":{"action":"delete-user","iteration":1,"userId":"%s","organisationId":"%s","userName":"%s",
                          "suggested_users":[],"managed_users":[]}}"""
                .formatted(ets, ets, userId, organisationId, userId, userId, organisationId, userName);
    }
}
