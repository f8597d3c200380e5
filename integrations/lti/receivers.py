"""What the LTI door does when the apps below announce a fact: a learner's
module completion recorded or voided changes their pathway progress, which
the courses writing it back post to their gradebooks."""

from django.dispatch import receiver

from assessments.signals import completion_voided, module_completed
from integrations.lti import tasks
from integrations.lti.selectors import courses_writing_back


@receiver(module_completed, dispatch_uid="integrations.lti.post_on_module_completed")
@receiver(completion_voided, dispatch_uid="integrations.lti.post_on_completion_voided")
def post_progress_on_completion(sender, *, learner_id: int, **kwargs) -> None:
    # One task per course: a platform that is down holds up only its own.
    for context_id in courses_writing_back(learner_id):
        tasks.post_course_progress.delay_on_commit(context_id)
