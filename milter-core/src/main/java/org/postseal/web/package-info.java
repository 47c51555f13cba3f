/**
 * The read-only report page: who sends as our domains, what we did with other domains' mail and what we reported.
 * One view model built from the results database and DNS ({@link org.postseal.web.ReportPage}), one pure renderer
 * ({@link org.postseal.web.ReportPageHtml}); {@code [web] listen} serves it, {@code postseal report html} writes it.
 */
package org.postseal.web;
